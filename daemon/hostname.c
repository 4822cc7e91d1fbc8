// SPDX-License-Identifier: GPL-2.0-or-later
#include "hostname.h"

/* Indexed by byte: its lowercase form when a label may hold it, else 0. */
static const uint8_t label_chars[256] = {
	['-'] = '-', ['_'] = '_',
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
	['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
	['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
	['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
	['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
	['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
	['z'] = 'z',
	['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
	['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
	['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
	['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
	['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
	['Z'] = 'z',
};

uint8_t hostname_char(uint8_t c)
{
	return label_chars[c];
}

int hostname_copy(const uint8_t *s, size_t n, char *out, size_t outlen)
{
	size_t i, label = 0;

	if (!outlen)
		return -1;
	if (n && s[n - 1] == '.')
		n--;
	if (!n || n > HOSTNAME_MAX || n >= outlen)
		goto bad;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (!label)
				goto bad;
			label = 0;
			out[i] = '.';
			continue;
		}
		if (!label_chars[s[i]] || ++label > HOSTNAME_LABEL_MAX)
			goto bad;
		out[i] = (char)label_chars[s[i]];
	}
	if (!label)
		goto bad;
	out[n] = '\0';
	return 1;
bad:
	out[0] = '\0';
	return -1;
}
