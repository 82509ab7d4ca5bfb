/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_table.c - the built-in framer selection.
 *
 * Ports are the responder's well-known ones.  The heuristics are tried in
 * order on the first bytes of whichever side speaks first: HTTP before TLS,
 * because an HTTP start line is plain text and cannot be mistaken for a TLS
 * record header (which starts with a control byte), so the order only
 * matters for speed.
 */
#include "sessions_framer.h"

static const sess_framer_entry default_entries[] = {
    {80, &sess_framer_http, NULL},
    {8000, &sess_framer_http, NULL},
    {8080, &sess_framer_http, NULL},
    {443, &sess_framer_tls, NULL},
    {8443, &sess_framer_tls, NULL},
    {53, &sess_framer_dns, NULL},
};

static const sess_framer *const default_heuristics[] = {
    &sess_framer_http,
    &sess_framer_tls,
};

static const sess_framer_table default_table = {
    .entries = default_entries,
    .nentries = sizeof default_entries / sizeof default_entries[0],
    .heuristics = default_heuristics,
    .nheuristics = sizeof default_heuristics / sizeof default_heuristics[0],
};

const sess_framer_table *sess_framer_table_default(void)
{
    return &default_table;
}
