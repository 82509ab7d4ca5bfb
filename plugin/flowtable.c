/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowtable.c - the flow table: one row per flow, Zeek conn.log's columns,
 * in tshark (`-z sessions,flows[,FILTER]`, `-z sessions,flows,tsv[,FILTER]`)
 * and in the GUI (Statistics > Sessions Flows).
 *
 * Both are taps on "sessions_flows", which Sessions queues on every packet of
 * a flow.  A flow is listed when one of its packets passes the filter; its
 * columns are always the whole flow's, read from the rows of flows.c, so the
 * counts equal the sessions.flow.total_* fields.  Those are final only once
 * the first pass has ended: tshark's single pass ends it in the table's draw
 * (which runs after the last packet), the GUI and `tshark -2` before.  In a
 * live capture the GUI shows open flows with their counts so far and no
 * conn_state.
 */
#include <wireshark.h>

#include <epan/stat_tap_ui.h>
#include <epan/tap.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <wsutil/inet_addr.h>

#include "sessions_plugin.h"

#define TAP_NAME "sessions_flows"

/* Column order, shared by the text table, the TSV and the GUI. */
enum {
    COL_ID, COL_FIRST_FRAME, COL_TS, COL_ORIG_H, COL_ORIG_P, COL_RESP_H,
    COL_RESP_P, COL_PROTO, COL_SERVICE, COL_DURATION, COL_ORIG_BYTES,
    COL_RESP_BYTES, COL_ORIG_PKTS, COL_RESP_PKTS, COL_CONN_STATE,
    COL_MISSED_BYTES, COL_HISTORY, COL_ORIG_MSGS, COL_RESP_MSGS, COL_VLAN,
    COL_INNER_VLAN, COL_TUNNEL, COL_TUNNEL_ID, NCOLS
};

static stat_tap_table_item columns[NCOLS] = {
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "id", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "first_frame", "%u"},
    {TABLE_ITEM_FLOAT, TAP_ALIGN_RIGHT, "ts", "%.6f"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "orig_h", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "orig_p", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "resp_h", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "resp_p", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "proto", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "service", "%s"},
    {TABLE_ITEM_FLOAT, TAP_ALIGN_RIGHT, "duration", "%.6f"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "orig_bytes", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "resp_bytes", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "orig_pkts", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "resp_pkts", "%u"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "conn_state", "%s"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "missed_bytes", "%u"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "history", "%s"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "orig_msgs", "%u"},
    {TABLE_ITEM_UINT, TAP_ALIGN_RIGHT, "resp_msgs", "%u"},
    {TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "vlan", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_RIGHT, "inner_vlan", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "tunnel", "%s"},
    {TABLE_ITEM_STRING, TAP_ALIGN_LEFT, "tunnel_id", "%s"},
};

/* ---- one row as text -------------------------------------------------------- */

#define CELL 64
typedef char row_text[NCOLS][CELL];

static void format_addr(char *buf, const sess_addr *a)
{
    if (a->family == 6)
        ws_inet_ntop6(a->bytes, buf, CELL);
    else
        ws_inet_ntop4(a->bytes, buf, CELL);
}

static const char *proto_name(guint8 l4proto, char *buf)
{
    switch (l4proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1: return "icmp";
    case 58: return "icmp6";
    default:
        snprintf(buf, CELL, "%u", l4proto);
        return buf;
    }
}

/* Zeek writes "-" for a field without a value. */
static void set_text(char *cell, const char *s)
{
    g_strlcpy(cell, s && *s ? s : "-", CELL);
}

/* Zeek's vlan and inner_vlan (its vlan-logging policy), then the tunnel's
 * kind and identifier: one number, or the originator's and the
 * responder's when they differ (PPTP, GTP-U, L2TP name the receiving
 * end). */
static void format_encapsulation(row_text out, const sess_flow_info *f)
{
    set_text(out[COL_VLAN], NULL);
    set_text(out[COL_INNER_VLAN], NULL);
    if (f->vlans > 0)
        snprintf(out[COL_VLAN], CELL, "%u", f->vlan[0]);
    if (f->vlans > 1)
        snprintf(out[COL_INNER_VLAN], CELL, "%u", f->vlan[1]);
    set_text(out[COL_TUNNEL], sess_tunnel_name(f->tunnel));
    set_text(out[COL_TUNNEL_ID], NULL);
    if (f->tunnel == SESS_TUNNEL_NONE || f->tunnel == SESS_TUNNEL_IPIP)
        return;
    if (f->tunnel_id[0] == f->tunnel_id[1])
        snprintf(out[COL_TUNNEL_ID], CELL, "%" PRIu32, f->tunnel_id[0]);
    else
        snprintf(out[COL_TUNNEL_ID], CELL, "%" PRIu32 ",%" PRIu32,
                 f->tunnel_id[0], f->tunnel_id[1]);
}

static void format_row(row_text out, guint32 id, const sessions_flow_row *r)
{
    const sess_flow_info *f = &r->info;
    char buf[CELL];
    snprintf(out[COL_ID], CELL, "%u", id);
    snprintf(out[COL_FIRST_FRAME], CELL, "%" PRIu64, f->first_frame);
    snprintf(out[COL_TS], CELL, "%.6f", sessions_seconds(f->first_ts));
    format_addr(out[COL_ORIG_H], &f->addr[0]);
    format_addr(out[COL_RESP_H], &f->addr[1]);
    if (f->has_ports) {
        snprintf(out[COL_ORIG_P], CELL, "%u", f->port[0]);
        snprintf(out[COL_RESP_P], CELL, "%u", f->port[1]);
    } else {
        set_text(out[COL_ORIG_P], NULL);
        set_text(out[COL_RESP_P], NULL);
    }
    set_text(out[COL_PROTO], proto_name(f->l4proto, buf));
    set_text(out[COL_SERVICE], r->service);
    snprintf(out[COL_DURATION], CELL, "%.6f",
             sessions_seconds(f->last_ts) - sessions_seconds(f->first_ts));
    snprintf(out[COL_ORIG_BYTES], CELL, "%" PRIu64, f->bytes[0]);
    snprintf(out[COL_RESP_BYTES], CELL, "%" PRIu64, f->bytes[1]);
    snprintf(out[COL_ORIG_PKTS], CELL, "%" PRIu64, f->pkts[0]);
    snprintf(out[COL_RESP_PKTS], CELL, "%" PRIu64, f->pkts[1]);
    set_text(out[COL_CONN_STATE], r->ended ? f->state : NULL);
    snprintf(out[COL_MISSED_BYTES], CELL, "%" PRIu64, f->missing[0] + f->missing[1]);
    set_text(out[COL_HISTORY], f->history);
    snprintf(out[COL_ORIG_MSGS], CELL, "%" PRIu64, r->msgs[0]);
    snprintf(out[COL_RESP_MSGS], CELL, "%" PRIu64, r->msgs[1]);
    format_encapsulation(out, f);
}

/* ---- tshark: -z sessions,flows[,tsv][,FILTER] ----------------------------- */

typedef struct cli_table {
    gboolean tsv;
    char *filter;
    GByteArray *listed; /* by flow id: 1 when a packet passed the filter */
} cli_table;

static void cli_reset(void *tapdata)
{
    cli_table *t = (cli_table *)tapdata;
    g_byte_array_set_size(t->listed, 0);
}

static tap_packet_status cli_packet(void *tapdata, packet_info *pinfo _U_,
                                    epan_dissect_t *edt _U_, const void *data,
                                    tap_flags_t flags _U_)
{
    cli_table *t = (cli_table *)tapdata;
    guint32 id = *(const guint32 *)data;
    if (id >= t->listed->len) {
        guint old = t->listed->len;
        g_byte_array_set_size(t->listed, id + 1);
        memset(t->listed->data + old, 0, id + 1 - old);
    }
    t->listed->data[id] = 1;
    return TAP_PACKET_DONT_REDRAW;
}

static void print_aligned(const cli_table *t, row_text *rows, guint n)
{
    size_t width[NCOLS], total = 0;
    for (int c = 0; c < NCOLS; c++) {
        width[c] = strlen(columns[c].column_name);
        for (guint i = 0; i < n; i++)
            width[c] = MAX(width[c], strlen(rows[i][c]));
        total += width[c] + (c ? 2 : 0);
    }
    GString *rule = g_string_new(NULL);
    for (size_t i = 0; i < MAX(total, 80); i++)
        g_string_append_c(rule, '=');
    printf("%s\nSessions flows\nFilter:%s\n", rule->str,
           t->filter ? t->filter : "<No Filter>");
    for (int c = 0; c < NCOLS; c++)
        printf("%s%-*s", c ? "  " : "", (int)width[c], columns[c].column_name);
    printf("\n");
    for (guint i = 0; i < n; i++) {
        for (int c = 0; c < NCOLS; c++) {
            int w = (int)width[c];
            if (columns[c].align == TAP_ALIGN_RIGHT)
                printf("%s%*s", c ? "  " : "", w, rows[i][c]);
            else if (c == NCOLS - 1)
                printf("  %s", rows[i][c]);
            else
                printf("%s%-*s", c ? "  " : "", w, rows[i][c]);
        }
        printf("\n");
    }
    printf("%s\n", rule->str);
    g_string_free(rule, TRUE);
}

static void print_tsv(row_text *rows, guint n)
{
    for (int c = 0; c < NCOLS; c++)
        printf("%s%s", c ? "\t" : "", columns[c].column_name);
    printf("\n");
    for (guint i = 0; i < n; i++)
        for (int c = 0; c < NCOLS; c++)
            printf("%s%s", rows[i][c], c == NCOLS - 1 ? "\n" : "\t");
}

/* Runs once, after the last packet: a single pass ends here. */
static void cli_draw(void *tapdata)
{
    cli_table *t = (cli_table *)tapdata;
    sessions_end_first_pass();
    guint n = 0;
    for (guint id = 0; id < t->listed->len; id++)
        n += t->listed->data[id];
    row_text *rows = g_new(row_text, n ? n : 1);
    guint i = 0;
    for (guint id = 0; id < t->listed->len; id++) {
        const sessions_flow_row *r = sessions_flows_get(id);
        if (t->listed->data[id] && r)
            format_row(rows[i++], id, r);
    }
    if (t->tsv)
        print_tsv(rows, i);
    else
        print_aligned(t, rows, i);
    g_free(rows);
}

static void cli_finish(void *tapdata)
{
    cli_table *t = (cli_table *)tapdata;
    g_byte_array_free(t->listed, TRUE);
    g_free(t->filter);
    g_free(t);
}

/* Registers the listener for `-z sessions,flows[,tsv][,FILTER]`; FALSE when
 * the filter is refused (the reason is printed). */
static gboolean cli_start(const char *opt_arg, gboolean tsv)
{
    cli_table *t = g_new0(cli_table, 1);
    t->tsv = tsv;
    const char *rest = opt_arg + strlen(tsv ? "sessions,flows,tsv" : "sessions,flows");
    if (*rest == ',' && rest[1])
        t->filter = g_strdup(rest + 1);
    t->listed = g_byte_array_new();
    GString *err = register_tap_listener(TAP_NAME, t, t->filter, TL_REQUIRES_NOTHING,
                                         cli_reset, cli_packet, cli_draw,
                                         cli_finish);
    if (!err)
        return TRUE;
    fprintf(stderr, "tshark: Couldn't register sessions,flows tap: %s\n", err->str);
    g_string_free(err, TRUE);
    cli_finish(t);
    return FALSE;
}

/* From 4.6 on, a -z init callback returns whether it started; before, it
 * exits when it cannot. */
#if SESSIONS_WS_AT_LEAST(4, 6)
static bool cli_init(const char *opt_arg, void *userdata)
{
    return cli_start(opt_arg, GPOINTER_TO_INT(userdata));
}
#else
static void cli_init(const char *opt_arg, void *userdata)
{
    if (!cli_start(opt_arg, GPOINTER_TO_INT(userdata)))
        exit(1);
}
#endif

/* ---- the GUI: a table under Statistics -------------------------------------- */

/* Table row of each flow id listed, G_MAXUINT when not (yet) listed. */
static GArray *gui_row_of;

static void gui_forget_rows(stat_tap_table *table)
{
    for (guint i = 0; i < table->num_elements; i++) {
        for (guint c = 0; c < table->num_fields; c++)
            if (table->elements[i][c].type == TABLE_ITEM_STRING)
                g_free((char *)table->elements[i][c].value.string_value);
        g_free(table->elements[i]);
    }
    g_free(table->elements);
    table->elements = NULL;
    table->num_elements = 0;
    if (gui_row_of)
        g_array_set_size(gui_row_of, 0);
}

static void gui_init(stat_tap_table_ui *ui)
{
    if (ui->tables && ui->tables->len)
        return; /* the table outlives its dialogs */
    stat_tap_table *table = stat_tap_init_table("Flows", NCOLS, 0, NULL);
    stat_tap_add_table(ui, table);
    if (!gui_row_of)
        gui_row_of = g_array_new(FALSE, FALSE, sizeof(guint));
}

static void gui_reset(stat_tap_table *table)
{
    gui_forget_rows(table);
}

static void gui_free_item(stat_tap_table *table _U_, guint row _U_,
                          guint column _U_, stat_tap_table_item_type *item)
{
    if (item->type == TABLE_ITEM_STRING)
        g_free((char *)item->value.string_value);
}

static guint saturate(guint64 v)
{
    return v > G_MAXUINT ? G_MAXUINT : (guint)v;
}

static tap_packet_status gui_packet(void *tapdata, packet_info *pinfo _U_,
                                    epan_dissect_t *edt _U_, const void *data,
                                    tap_flags_t flags _U_)
{
    stat_data_t *sd = (stat_data_t *)tapdata;
    stat_tap_table *table = g_array_index(sd->stat_tap_data->tables,
                                          stat_tap_table *, 0);
    guint32 id = *(const guint32 *)data;
    const sessions_flow_row *r = sessions_flows_get(id);
    if (!r)
        return TAP_PACKET_DONT_REDRAW;
    if (id >= gui_row_of->len) {
        guint old = gui_row_of->len;
        g_array_set_size(gui_row_of, id + 1);
        for (guint i = old; i <= id; i++)
            g_array_index(gui_row_of, guint, i) = G_MAXUINT;
    }
    guint *row = &g_array_index(gui_row_of, guint, id);
    stat_tap_table_item_type items[NCOLS];
    memset(items, 0, sizeof items);
    if (*row == G_MAXUINT) {
        *row = table->num_elements;
    } else {
        for (int c = 0; c < NCOLS; c++)
            gui_free_item(table, *row, c, &table->elements[*row][c]);
    }
    row_text text;
    format_row(text, id, r);
    const sess_flow_info *f = &r->info;
    for (int c = 0; c < NCOLS; c++) {
        items[c].type = columns[c].type;
        if (columns[c].type == TABLE_ITEM_STRING)
            items[c].value.string_value = g_strdup(text[c]);
    }
    items[COL_ID].value.uint_value = id;
    items[COL_FIRST_FRAME].value.uint_value = saturate(f->first_frame);
    items[COL_TS].value.float_value = sessions_seconds(f->first_ts);
    items[COL_DURATION].value.float_value =
        sessions_seconds(f->last_ts) - sessions_seconds(f->first_ts);
    items[COL_ORIG_BYTES].value.uint_value = saturate(f->bytes[0]);
    items[COL_RESP_BYTES].value.uint_value = saturate(f->bytes[1]);
    items[COL_ORIG_PKTS].value.uint_value = saturate(f->pkts[0]);
    items[COL_RESP_PKTS].value.uint_value = saturate(f->pkts[1]);
    items[COL_MISSED_BYTES].value.uint_value =
        saturate(f->missing[0] + f->missing[1]);
    items[COL_ORIG_MSGS].value.uint_value = saturate(r->msgs[0]);
    items[COL_RESP_MSGS].value.uint_value = saturate(r->msgs[1]);
    stat_tap_init_table_row(table, *row, NCOLS, items);
    return TAP_PACKET_REDRAW;
}

static tap_param gui_params[] = {{PARAM_FILTER, "filter", "Filter", NULL, TRUE}};

static stat_tap_table_ui gui_table = {
    .group = REGISTER_PACKET_STAT_GROUP_UNSORTED, /* the Statistics menu */
    .title = "Sessions Flows",
    .tap_name = TAP_NAME,
    .cli_string = "sessions,table",
    .stat_tap_init_cb = gui_init,
    .packet_func = gui_packet,
    .stat_tap_reset_table_cb = gui_reset,
    .stat_tap_free_table_item_cb = gui_free_item,
    .stat_filter_check_cb = NULL,
    .nfields = NCOLS,
    .fields = columns,
    .nparams = G_N_ELEMENTS(gui_params),
    .params = gui_params,
};

/* ---- registration ------------------------------------------------------------ */

void sessions_flowtable_register(void)
{
    static tap_param cli_params[] = {{PARAM_FILTER, "filter", "Filter", NULL, TRUE}};
    /* Text, then TSV (the userdata cli_init reads). */
    static stat_tap_ui cli_uis[] = {
        {REGISTER_STAT_GROUP_GENERIC, "Sessions flows", "sessions,flows", cli_init,
         G_N_ELEMENTS(cli_params), cli_params},
        {REGISTER_STAT_GROUP_GENERIC, "Sessions flows (TSV)", "sessions,flows,tsv",
         cli_init, G_N_ELEMENTS(cli_params), cli_params},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cli_uis); i++)
        register_stat_tap_ui(&cli_uis[i], GINT_TO_POINTER(i == 1));
    register_stat_tap_table_ui(&gui_table);
}
