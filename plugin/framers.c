/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framers.c - which framer cuts which TCP connection, from the preferences.
 *
 * The table handed to the core is, in order: the user's generic framers (the
 * `sessions_framers` UAT: length-prefixed, delimiter-terminated or raw, per
 * TCP port), then the built-in port ranges (`<framer>_ports`), then, when
 * enabled, the heuristics on the first bytes.  Rows are validated when the
 * table is edited or given with `-o uat:sessions_framers:...`, so a bad row
 * is refused with a message saying what is wrong.
 */
#include <wireshark.h>

#include <epan/uat.h>
#include <wsutil/strtoi.h>

#include <string.h>

#include "sessions_plugin.h"

/* The choices of the table's enumerated columns (drop-downs in the GUI). */
enum { KIND_LENGTH, KIND_DELIMITER, KIND_RAW };
static const value_string kind_vals[] = {
    {KIND_LENGTH, "length"},
    {KIND_DELIMITER, "delimiter"},
    {KIND_RAW, "raw"},
    {0, NULL},
};

/* Rows that have no length field leave the endianness empty. */
enum { ENDIAN_NONE, ENDIAN_BIG, ENDIAN_LITTLE };
static const value_string endian_vals[] = {
    {ENDIAN_BIG, "big"},
    {ENDIAN_LITTLE, "little"},
    {ENDIAN_NONE, ""},
    {0, NULL},
};

typedef struct framer_row {
    guint port;
    guint kind;        /* KIND_* */
    guint offset;      /* length field offset */
    guint size;        /* length field size: 1, 2 or 4 */
    guint endian;      /* ENDIAN_* */
    gint adjustment;
    char *delimiter;   /* escaped, e.g. \r\n */
} framer_row;

static framer_row *rows;
static guint nrows;

/* Parameters built from the rows, kept for the core's table. */
static sess_length_params *length_params;
static sess_delim_params *delim_params;
static sess_framer_entry *entries;
static size_t nentries;

/* The built-in framers chosen by port, each with a range preference. */
typedef struct port_pref {
    const char *pref;
    const sess_framer *framer;
    const char *defaults;
    const char *title;
    const char *description;
    range_t *ports;
} port_pref;

static port_pref port_prefs[] = {
    {"http_ports", &sess_framer_http, "80,8000,8080", "HTTP ports",
     "Responder ports framed as HTTP/1.x", NULL},
    {"tls_ports", &sess_framer_tls, "443,8443", "TLS ports",
     "Responder ports framed as TLS records", NULL},
    {"dns_ports", &sess_framer_dns, "53", "DNS ports",
     "Responder ports framed as DNS over TCP", NULL},
    {"krb_ports", &sess_framer_krb, "88", "Kerberos ports",
     "Responder ports framed as Kerberos over TCP (4-byte length)", NULL},
    {"pgsql_ports", &sess_framer_pgsql, "5432", "PostgreSQL ports",
     "Responder ports framed as PostgreSQL frontend/backend messages", NULL},
    {"dcerpc_ports", &sess_framer_dcerpc, "135", "DCE/RPC ports",
     "Responder ports framed as DCE/RPC connection-oriented PDUs", NULL},
    {"nbss_ports", &sess_framer_nbss, "139,445", "NetBIOS session/SMB ports",
     "Responder ports framed as NetBIOS session service messages (SMB)", NULL},
    {"ldap_ports", &sess_framer_ldap, "389,3268", "LDAP ports",
     "Responder ports framed as LDAP messages (BER)", NULL},
    {"mqtt_ports", &sess_framer_mqtt, "1883", "MQTT ports",
     "Responder ports framed as MQTT control packets", NULL},
};

static ws_api_bool use_heuristics = TRUE;

UAT_DEC_CB_DEF(framer_rows, port, framer_row)
UAT_VS_DEF(framer_rows, kind, framer_row, guint, KIND_RAW, "raw")
UAT_DEC_CB_DEF(framer_rows, offset, framer_row)
UAT_DEC_CB_DEF(framer_rows, size, framer_row)
UAT_VS_DEF(framer_rows, endian, framer_row, guint, ENDIAN_NONE, "")
UAT_SIGNED_DEC_CB_DEF(framer_rows, adjustment, framer_row)
UAT_CSTRING_CB_DEF(framer_rows, delimiter, framer_row)

static void *row_copy(void *dst, const void *src, size_t len _U_)
{
    const framer_row *s = (const framer_row *)src;
    framer_row *d = (framer_row *)dst;
    *d = *s;
    d->delimiter = g_strdup(s->delimiter);
    return d;
}

static void row_free(void *r)
{
    framer_row *row = (framer_row *)r;
    g_free(row->delimiter);
}

static ws_api_bool row_update(void *r, char **err)
{
    framer_row *row = (framer_row *)r;
    if (row->port == 0 || row->port > 65535) {
        *err = g_strdup_printf("port %u: must be 1..65535", row->port);
        return FALSE;
    }
    if (row->kind == KIND_LENGTH) {
        if (row->size != 1 && row->size != 2 && row->size != 4) {
            *err = g_strdup_printf("port %u: length size %u must be 1, 2 or 4",
                                   row->port, row->size);
            return FALSE;
        }
        if (row->endian == ENDIAN_NONE) {
            *err = g_strdup_printf("port %u: a length field's endianness must "
                                   "be big or little", row->port);
            return FALSE;
        }
    }
    if (row->kind == KIND_DELIMITER) {
        sess_delim_params p;
        if (!row->delimiter ||
            sess_delim_parse(row->delimiter, &p) != SESS_OK) {
            *err = g_strdup_printf("port %u: delimiter \"%s\" must be 1..16 "
                                   "bytes, escapes \\r \\n \\t \\0 \\\\ \\xHH",
                                   row->port, row->delimiter ? row->delimiter : "");
            return FALSE;
        }
    }
    return TRUE;
}

static void add_port_range(range_t *r, const sess_framer *fr)
{
    for (guint i = 0; r && i < r->nranges; i++)
        for (guint32 p = r->ranges[i].low; p <= r->ranges[i].high && p <= 65535; p++)
            entries[nentries++] = (sess_framer_entry){(uint16_t)p, fr, NULL};
}

static guint range_count(range_t *r)
{
    guint n = 0;
    for (guint i = 0; r && i < r->nranges; i++)
        n += r->ranges[i].high - r->ranges[i].low + 1;
    return n;
}

void sessions_framers_table(sess_framer_table *table)
{
    static const sess_framer *const heuristics[] = {
        &sess_framer_http, &sess_framer_tls, &sess_framer_h2,
        &sess_framer_dcerpc};
    guint nports = 0;
    g_free(length_params);
    g_free(delim_params);
    g_free(entries);
    length_params = g_new0(sess_length_params, nrows ? nrows : 1);
    delim_params = g_new0(sess_delim_params, nrows ? nrows : 1);
    for (size_t i = 0; i < G_N_ELEMENTS(port_prefs); i++)
        nports += range_count(port_prefs[i].ports);
    entries = g_new0(sess_framer_entry, nrows + nports + 1);
    nentries = 0;
    for (guint i = 0; i < nrows; i++) {
        const framer_row *row = &rows[i];
        sess_framer_entry *e = &entries[nentries++];
        e->port = (uint16_t)row->port;
        if (row->kind == KIND_LENGTH) {
            length_params[i] = (sess_length_params){
                row->offset, (uint8_t)row->size,
                row->endian == ENDIAN_LITTLE, row->adjustment};
            e->framer = &sess_framer_length;
            e->params = &length_params[i];
        } else if (row->kind == KIND_DELIMITER) {
            sess_delim_parse(row->delimiter, &delim_params[i]);
            e->framer = &sess_framer_delim;
            e->params = &delim_params[i];
        } else {
            e->framer = &sess_framer_raw;
        }
    }
    for (size_t i = 0; i < G_N_ELEMENTS(port_prefs); i++)
        add_port_range(port_prefs[i].ports, port_prefs[i].framer);
    table->entries = entries;
    table->nentries = nentries;
    table->heuristics = use_heuristics ? heuristics : NULL;
    table->nheuristics = use_heuristics ? G_N_ELEMENTS(heuristics) : 0;
}

void sessions_framers_register_prefs(module_t *module)
{
    static uat_field_t fields[] = {
        UAT_FLD_DEC(framer_rows, port, "Port", "Responder's TCP port"),
        UAT_FLD_VS(framer_rows, kind, "Kind", kind_vals,
                   "length, delimiter or raw"),
        UAT_FLD_DEC(framer_rows, offset, "Length offset",
                    "Offset of the length field (length)"),
        UAT_FLD_DEC(framer_rows, size, "Length size",
                    "Size of the length field: 1, 2 or 4 (length)"),
        UAT_FLD_VS(framer_rows, endian, "Endianness", endian_vals,
                   "big or little (length)"),
        UAT_FLD_SIGNED_DEC(framer_rows, adjustment, "Adjustment",
                           "Added to offset + size + value (length)"),
        UAT_FLD_CSTRING(framer_rows, delimiter, "Delimiter",
                        "End of message, included in it, e.g. \\r\\n (delimiter)"),
        UAT_END_FIELDS};
    uat_t *uat = uat_new("Sessions framers", sizeof(framer_row),
                         "sessions_framers", TRUE, &rows, &nrows,
                         UAT_AFFECTS_DISSECTION, NULL, row_copy, row_update,
                         row_free, NULL, NULL, fields);
    prefs_register_uat_preference(module, "framers", "Generic framers",
        "Frame your own protocols per TCP port: length-prefixed "
        "(message length = offset + size + value + adjustment), "
        "delimiter-terminated, or raw.  Comes before the port ranges and "
        "the heuristics.", uat);

    for (size_t i = 0; i < G_N_ELEMENTS(port_prefs); i++) {
        port_pref *p = &port_prefs[i];
        range_convert_str(wmem_epan_scope(), &p->ports, p->defaults, 65535);
        prefs_register_range_preference(module, p->pref, p->title,
                                        p->description, &p->ports, 65535);
    }
    prefs_register_bool_preference(module, "heuristics", "Heuristics",
        "Otherwise recognise HTTP, TLS, HTTP/2 (connection preface) and "
        "DCE/RPC (bind) by the first bytes", &use_heuristics);
}
