// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "hostname.h"
#include "http.h"
#include "wire.h"

/* RFC 9110, 9.1 plus PATCH (RFC 5789); a request starts "METHOD ". */
static const char *const http_methods[] = {
	"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
	"TRACE", "PATCH",
};

#define HTTP_METHODS (sizeof(http_methods) / sizeof(http_methods[0]))

/* The method's index, -1 if none can match, -2 if p is a prefix of one. */
static int http_method(const uint8_t *p, size_t len)
{
	int ret = -1;
	size_t i;

	for (i = 0; i < HTTP_METHODS; i++) {
		size_t n = strlen(http_methods[i]);

		if (len > n) {
			if (!memcmp(p, http_methods[i], n) && p[n] == ' ')
				return (int)i;
		} else if (!memcmp(p, http_methods[i], len)) {
			ret = -2;
		}
	}
	return ret;
}

/* Cuts the next line off w, without its LF or CRLF. */
static bool http_line(struct wire *w, struct wire *line)
{
	const uint8_t *lf = memchr(w->p, '\n', w->len);
	size_t n;

	if (!lf)
		return false;
	n = (size_t)(lf - w->p);
	wire_take(w, n + 1, line);
	line->len = n && line->p[n - 1] == '\r' ? n - 1 : n;
	return true;
}

/* The head, request line to the empty line; 0 or -1 as http_host(). */
static int http_head(const uint8_t *p, size_t len, struct wire *head)
{
	size_t max = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
	struct wire w = { .p = p, .len = max }, line;

	*head = w;
	while (http_line(&w, &line)) {
		if (!line.len) {
			head->len = (size_t)(w.p - p);
			return 1;
		}
	}
	return len < HTTP_HEAD_MAX ? 0 : -1;
}

static struct wire http_trim(struct wire w)
{
	while (w.len && (w.p[0] == ' ' || w.p[0] == '\t'))
		wire_take(&w, 1, NULL);
	while (w.len && (w.p[w.len - 1] == ' ' || w.p[w.len - 1] == '\t'))
		w.len--;
	return w;
}

/* "host[:port]" to a name; a bracketed IP literal is not one. */
static int http_authority(struct wire a, char *out, size_t outlen)
{
	const uint8_t *colon;

	if (!a.len || a.p[0] == '[')
		return -1;
	colon = memrchr(a.p, ':', a.len);
	if (colon) {
		const uint8_t *d;

		for (d = colon + 1; d < a.p + a.len; d++)
			if (*d < '0' || *d > '9')
				return -1;
		a.len = (size_t)(colon - a.p);
	}
	return hostname_copy(a.p, a.len, out, outlen);
}

/*
 * The authority of an absolute-form target, "scheme://[userinfo@]host
 * [:port]" up to the path, query or fragment (RFC 3986, 3).
 */
static bool http_target_authority(struct wire t, struct wire *a)
{
	const uint8_t *sep = memchr(t.p, ':', t.len), *at;
	size_t n;

	if (!sep || sep == t.p)
		return false;
	n = (size_t)(sep - t.p);
	if (t.len - n < 3 || memcmp(sep, "://", 3))
		return false;
	wire_take(&t, n + 3, NULL);
	for (n = 0; n < t.len; n++)
		if (t.p[n] == '/' || t.p[n] == '?' || t.p[n] == '#')
			break;
	*a = (struct wire){ .p = t.p, .len = n };
	at = memrchr(a->p, '@', a->len);
	if (at)
		wire_take(a, (size_t)(at - a->p) + 1, NULL);
	return true;
}

/*
 * "METHOD SP target SP HTTP/1.x". Sets *a to the target's authority when
 * it has one, else leaves a->p NULL.
 */
static int http_request_line(struct wire line, int method, struct wire *a)
{
	const uint8_t *sp;
	struct wire target;
	size_t n = strlen(http_methods[method]) + 1;

	wire_take(&line, n, NULL);
	sp = memchr(line.p, ' ', line.len);
	if (!sp || sp == line.p)
		return -1;
	n = (size_t)(sp - line.p);
	wire_take(&line, n + 1, &target);
	target.len = n;
	if (line.len != 8 || memcmp(line.p, "HTTP/1.", 7) ||
	    line.p[7] < '0' || line.p[7] > '9')
		return -1;
	a->p = NULL;
	if (!strcmp(http_methods[method], "CONNECT"))
		*a = target;
	else if (target.p[0] != '/' && target.p[0] != '*')
		return http_target_authority(target, a) ? 1 : -1;
	return 1;
}

/*
 * The value of the one Host field in the header lines: 1 found, 0 none,
 * -1 malformed. A second Host, or a Host continued by obsolete line
 * folding, could be read two ways by two parsers, so both are refused
 * (RFC 9112, 3.2 and 5.2).
 */
static int http_host_field(struct wire head, struct wire *host)
{
	bool in_host = false;
	struct wire line;

	host->p = NULL;
	while (http_line(&head, &line) && line.len) {
		const uint8_t *colon;

		if (line.p[0] == ' ' || line.p[0] == '\t') {
			if (in_host)
				return -1;
			continue;
		}
		colon = memchr(line.p, ':', line.len);
		if (!colon)
			return -1;
		in_host = colon - line.p == 4 && !strncasecmp(
				(const char *)line.p, "host", 4);
		if (!in_host)
			continue;
		if (host->p)
			return -1;
		wire_take(&line, 5, NULL);
		*host = http_trim(line);
	}
	return host->p ? 1 : 0;
}

int http_host(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	struct wire head, line, authority, host;
	int method, ret;

	if (outlen)
		out[0] = '\0';
	if (!len)
		return 0;
	method = http_method(p, len);
	if (method < 0)
		return method == -2 ? 0 : -1;
	ret = http_head(p, len, &head);
	if (ret <= 0)
		return ret;
	http_line(&head, &line);
	if (http_request_line(line, method, &authority) < 0)
		return -1;
	/* The fields must be well formed even when the target wins. */
	ret = http_host_field(head, &host);
	if (ret < 0)
		return -1;
	if (authority.p)
		return http_authority(authority, out, outlen);
	return ret ? http_authority(host, out, outlen) : -1;
}
