/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_table.c - the built-in framer selection.
 *
 * Ports are the responder's well-known ones.  The heuristics are tried in
 * order on the first bytes of whichever side speaks first: HTTP before TLS,
 * because an HTTP start line is plain text and cannot be mistaken for a TLS
 * record header (which starts with a control byte), so the order only
 * matters for speed.  The HTTP/2 connection preface ("PRI * ...") is no
 * HTTP/1 start line, and a DCE/RPC bind starts with the byte 5, which
 * neither text nor a TLS record does: each first-bytes pattern is taken by
 * one heuristic at most.  WebSocket and HTTP/2 after an upgrade are chosen
 * by the HTTP framer, not here.
 */
#include "sessions_framer.h"

static const sess_framer_entry default_entries[] = {
    {80, &sess_framer_http, NULL},
    {8000, &sess_framer_http, NULL},
    {8080, &sess_framer_http, NULL},
    {443, &sess_framer_tls, NULL},
    {8443, &sess_framer_tls, NULL},
    {53, &sess_framer_dns, NULL},
    {88, &sess_framer_krb, NULL},
    {5432, &sess_framer_pgsql, NULL},
    {135, &sess_framer_dcerpc, NULL},
    {139, &sess_framer_nbss, NULL},
    {445, &sess_framer_nbss, NULL},
    {389, &sess_framer_ldap, NULL},
    {3268, &sess_framer_ldap, NULL},
    {1883, &sess_framer_mqtt, NULL},
};

static const sess_framer *const default_heuristics[] = {
    &sess_framer_http,
    &sess_framer_tls,
    &sess_framer_h2,
    &sess_framer_dcerpc,
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
