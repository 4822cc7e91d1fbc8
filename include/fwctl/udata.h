/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FWCTL_UDATA_H
#define FWCTL_UDATA_H

/*
 * What fwctl stores in the userdata of the kernel objects it creates, so
 * that `fwctl show` (and a person running `nft list`) can trace every kernel
 * rule back to the rule file. Userdata is a list of TLVs (libnftnl udata:
 * u8 type, u8 length, value).
 *
 *   rule:  NFTNL_UDATA_RULE_COMMENT (0)  "FILE:LINE" or "FILE:LINE COMMENT",
 *                                         NUL terminated; nft shows it
 *          FWCTL_UDATA_RULE_KEY         the rule's identity: 8 bytes, host
 *                                         byte order, a hash of its content
 *                                         without its location (cli/ir_hash.h);
 *                                         incremental apply keeps live rules
 *                                         whose key the new file still has
 *          FWCTL_UDATA_RULE_SOURCE      the source rule's text, NUL
 *                                         terminated, at most 200 bytes
 *   table: FWCTL_UDATA_TABLE_SOURCE     path of the applied rule file
 *   object: NFTNL_UDATA_OBJ_COMMENT (0) "FILE:LINE" of the rule that made it
 *          FWCTL_UDATA_OBJ_KEY          8 bytes, a hash of its content
 *
 * The key comes before the source text, which gives way when the 256
 * bytes the kernel allows run out.
 *
 * Types from 0x40 up are fwctl's own; nft ignores types it does not know.
 */
#define FWCTL_UDATA_RULE_SOURCE		0x40
#define FWCTL_UDATA_TABLE_SOURCE	0x41
#define FWCTL_UDATA_RULE_KEY		0x42
#define FWCTL_UDATA_OBJ_KEY		0x43
#define FWCTL_UDATA_TEXT_MAX		200

#endif
