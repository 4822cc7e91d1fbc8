// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: fwctld's control messages (lib/control.c), as the
 * daemon reads requests and fwctl reads replies. Whatever decodes must
 * encode again and decode to the same bytes: the decoder accepts nothing
 * the encoder would refuse.
 */
#include <stdlib.h>
#include <string.h>

#include "fwctl/control.h"

static void config_roundtrip(const struct control_config *c)
{
	struct control_buf a = { 0 }, b = { 0 };
	struct control_config again;

	if (control_put_config(&a, c))
		abort();	/* decoded, so it must be encodable */
	if (control_get_config(a.p, a.len, &again))
		abort();
	if (control_put_config(&b, &again) || a.len != b.len ||
	    memcmp(a.p, b.p, a.len))
		abort();
	control_config_free(&again);
	control_buf_free(&a);
	control_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char msg[CONTROL_ERRMSG_MAX + 1];
	struct control_config c;
	struct control_status *s;
	enum control_type type;
	long len;
	int err;

	if (size < CONTROL_HDR_LEN)
		return 0;
	len = control_msg_len(data, size, &type);
	if (len < 0 || (size_t)len > size)
		return 0;
	switch (type) {
	case CONTROL_SET_CONFIG:
		if (!control_get_config(data, len, &c)) {
			config_roundtrip(&c);
			control_config_free(&c);
		}
		break;
	case CONTROL_ERROR:
		control_get_error(data, len, &err, msg);
		break;
	case CONTROL_STATUS:
		s = malloc(sizeof(*s));
		if (s)
			control_get_status(data, len, s);
		free(s);
		break;
	default:
		break;
	}
	return 0;
}
