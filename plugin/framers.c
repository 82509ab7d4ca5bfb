/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framers.c - which framer cuts which TCP connection, from the preferences.
 *
 * The table handed to the core is, in order: the user's generic framers (the
 * `sessions_framers` UAT: length-prefixed, delimiter-terminated or raw, per
 * TCP port), then the built-in port ranges (http, tls, dns), then, when
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

static range_t *http_ports;
static range_t *tls_ports;
static range_t *dns_ports;
static gboolean use_heuristics = TRUE;

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

static gboolean row_update(void *r, char **err)
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
    static const sess_framer *const heuristics[] = {&sess_framer_http,
                                                    &sess_framer_tls};
    g_free(length_params);
    g_free(delim_params);
    g_free(entries);
    length_params = g_new0(sess_length_params, nrows ? nrows : 1);
    delim_params = g_new0(sess_delim_params, nrows ? nrows : 1);
    entries = g_new0(sess_framer_entry, nrows + range_count(http_ports) +
                                            range_count(tls_ports) +
                                            range_count(dns_ports) + 1);
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
    add_port_range(http_ports, &sess_framer_http);
    add_port_range(tls_ports, &sess_framer_tls);
    add_port_range(dns_ports, &sess_framer_dns);
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

    range_convert_str(wmem_epan_scope(), &http_ports, "80,8000,8080", 65535);
    range_convert_str(wmem_epan_scope(), &tls_ports, "443,8443", 65535);
    range_convert_str(wmem_epan_scope(), &dns_ports, "53", 65535);
    prefs_register_range_preference(module, "http_ports", "HTTP ports",
        "Responder ports framed as HTTP/1.x", &http_ports, 65535);
    prefs_register_range_preference(module, "tls_ports", "TLS ports",
        "Responder ports framed as TLS records", &tls_ports, 65535);
    prefs_register_range_preference(module, "dns_ports", "DNS ports",
        "Responder ports framed as DNS over TCP", &dns_ports, 65535);
    prefs_register_bool_preference(module, "heuristics", "Heuristics",
        "Otherwise recognise HTTP and TLS by the first bytes", &use_heuristics);
}
