// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The module form of inspect rules (cli/hook_form.c), without a kernel:
 * the lowered table of two inspect rules with different profiles loses
 * its ct mark rules and _mark chains, and each inspect rule puts its own
 * profile (index + 1, bits 24-29) into the packet mark and accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "export.h"
#include "hook_form.h"
#include "unit.h"

static const char rules[] =
	"inspect input proto tcp port 443 deny sni { \"bad.example\" }\n"
	"inspect input proto udp port 53 deny dns { \"bad.example\" } "
	"default drop fail-closed queues 4-5 budget 3\n";

static char *export_text(const struct ir_table *t)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	export_table(t, f);
	fclose(f);
	return text;
}

int main(void)
{
	struct ir_table *t = compile_buffer("hook.fw", rules, strlen(rules));
	char *native, *hook;

	if (!CHECK(t != NULL))
		return unit_summary("hook_form_test");
	native = export_text(t);
	CHECK(strstr(native, "queue num 4-5") != NULL);
	CHECK(strstr(native, "inspect_input_mark") != NULL);
	CHECK(hook_form_lower(t));
	hook = export_text(t);
	CHECK(strstr(hook, "queue num") == NULL);
	CHECK(strstr(hook, "ct mark") == NULL);
	CHECK(strstr(hook, "inspect_input_mark") == NULL);
	CHECK(strstr(hook, "tcp th dport 443 meta mark set meta mark & "
		     "0x00ffffff | 0x01000000 accept") != NULL);
	CHECK(strstr(hook, "udp th dport 53 meta mark set meta mark & "
		     "0x00ffffff | 0x02000000 accept") != NULL);
	CHECK(t->n_profiles == 2);
	if (unit_failures)
		printf("--- native\n%s--- module form\n%s", native, hook);
	free(native);
	free(hook);
	ir_table_free(t);
	return unit_summary("hook_form_test");
}
