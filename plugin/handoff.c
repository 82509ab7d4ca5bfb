/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * handoff.c - hands reassembled messages to Wireshark's own dissectors.
 *
 * Opt-in (pref sessions.handoff), because Wireshark's dissectors keep their
 * own conversation state and taps: called again on our messages they number
 * requests anew, lose http.request_in, count objects twice in -z http,tree
 * and --export-objects http, and rewrite the Info column.  We keep the
 * columns as they were and call them only while a tree is being built, and
 * only for HTTP and DNS; never TLS, whose handshake state would run twice.
 */
#include <wireshark.h>

#include <string.h>

#include "sessions_plugin.h"

#include <epan/column-utils.h>
#include <epan/exceptions.h>
#include <epan/show_exception.h>

static void call_guarded(dissector_handle_t h, tvbuff_t *tvb,
                         packet_info *pinfo, proto_tree *tree)
{
    TRY {
        call_dissector(h, tvb, pinfo, tree);
    }
    CATCH_NONFATAL_ERRORS {
        /* A malformed message must not hide the rest of our tree. */
        show_exception(tvb, pinfo, tree, EXCEPT_CODE, GET_MESSAGE);
    }
    ENDTRY;
}

void sessions_handoff(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                      const sessions_message *m, dissector_handle_t http,
                      dissector_handle_t dns, gint ett)
{
    gboolean is_dns = strcmp(m->proto, "dns") == 0;
    if (strcmp(m->proto, "http") != 0 && !is_dns)
        return;
    /* DNS over TCP: the DNS dissector wants the message without its
     * 2-byte length prefix. */
    if (is_dns && tvb_captured_length(tvb) <= 2)
        return;
    proto_tree *sub = proto_tree_add_subtree(tree, tvb, 0, -1, ett, NULL,
                                             "Dissected by Wireshark");
    gboolean writable = col_get_writable(pinfo->cinfo, -1);
    col_set_writable(pinfo->cinfo, -1, FALSE);
    if (is_dns)
        call_guarded(dns, tvb_new_subset_remaining(tvb, 2), pinfo, sub);
    else
        call_guarded(http, tvb, pinfo, sub);
    col_set_writable(pinfo->cinfo, -1, writable);
}
