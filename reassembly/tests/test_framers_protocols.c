/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_framers_protocols.c - the framers of Kerberos, PostgreSQL, DCE/RPC,
 * NetBIOS/SMB, LDAP, WebSocket, HTTP/2 and MQTT, and the hand-overs between
 * framers (HTTP upgrade, PostgreSQL's SSLRequest).
 *
 * Each protocol has a table of conversations and the messages, summaries
 * and framer they must give, replayed by framer_driver.h at every split
 * point (and every pair of split points for pipelined messages); then
 * malformed input (raw for the rest of the direction, counted as a framer
 * error), messages longer than max_len (partial pieces) and streams cut
 * short.  The byte strings below follow each protocol's layout; the
 * comment after each is its length.
 */
#include "framer_driver.h"

#define KRB_AS_REQ "\x00\x00\x00\x06j\x04" "0\x02\x01\x05" /* 10 */
#define KRB_TGS_REQ "\x00\x00\x00\x02l\x00" /* 6 */
#define KRB_ERROR "\x00\x00\x00\x03~\x01\x00" /* 7 */
#define PG_STARTUP "\x00\x00\x00\x12\x00\x03\x00\x00user\x00" "bob\x00\x00" /* 18 */
#define PG_SSLREQ "\x00\x00\x00\x08\x04\xd2\x16/" /* 8 */
#define PG_GSSREQ "\x00\x00\x00\x08\x04\xd2\x16" "0" /* 8 */
#define PG_CANCEL "\x00\x00\x00\x10\x04\xd2\x16.\x00\x00\x04\xd2\x00\x00\x16." /* 16 */
#define PG_AUTH_OK "R\x00\x00\x00\x08\x00\x00\x00\x00" /* 9 */
#define PG_AUTH_MD5 "R\x00\x00\x00\x0c\x00\x00\x00\x05salt" /* 13 */
#define PG_PARAM "S\x00\x00\x00\x16server_version\x00" "16\x00" /* 23 */
#define PG_READY "Z\x00\x00\x00\x05I" /* 6 */
#define PG_QUERY "Q\x00\x00\x00\x0eSELECT 1;\x00" /* 15 */
#define PG_QUERY_LONG "Q\x00\x00\x00\x8dSELECT x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, y FROM t;\x00" /* 142 */
#define PG_ROWDESC "T\x00\x00\x00!\x00\x01\x3f" "column\x3f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* 34 */
#define PG_DATAROW "D\x00\x00\x00\x0b\x00\x01\x00\x00\x00\x01" "1" /* 12 */
#define PG_COMPLETE "C\x00\x00\x00\x0dSELECT 1\x00" /* 14 */
#define PG_TERMINATE "X\x00\x00\x00\x04" /* 5 */
#define PG_ERROR "E\x00\x00\x00\x10SERROR\x00Mno\x00\x00" /* 17 */
#define PG_TLS_HELLO "\x16\x03\x01\x00\x04\x01\x00\x00\x00" /* 9 */
#define PG_TLS_SHELLO "\x16\x03\x03\x00\x02\x02\x00" /* 7 */
#define DCE_BIND "\x05\x00\x0b\x03\x10\x00\x00\x00H\x00\x00\x00\x01\x00\x00\x00\xb8\x10\xb8\x10\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* 72 */
#define DCE_BIND_ACK "\x05\x00\x0c\x03\x10\x00\x00\x00 \x00\x00\x00\x01\x00\x00\x00\xb8\x10\xb8\x10" "4\x12\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* 32 */
#define DCE_REQUEST "\x05\x00\x00\x03\x10\x00\x00\x00\x1c\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x00\x00\x04\x00" "abcd" /* 28 */
#define DCE_REQUEST_BE "\x05\x00\x00\x03\x00\x00\x00\x00\x00\x1c\x00\x00\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x01\x02" "abcd" /* 28 */
#define DCE_RESPONSE "\x05\x00\x02\x03\x10\x00\x00\x00\x1c\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00wxyz" /* 28 */
#define NB_SREQ "\x81\x00\x00" "D\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* 72 */
#define NB_SPOS "\x82\x00\x00\x00" /* 4 */
#define NB_KEEPALIVE "\x85\x00\x00\x00" /* 4 */
#define NB_SMB2_NEG "\x00\x00\x00" "d\xfeSMB@\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* 104 */
#define NB_SMB2_NEG_RESP "\x00\x00\x00\x81\xfeSMB@\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* 133 */
#define NB_SMB2_READ "\x00\x00\x00q\xfeSMB@\x00\x00\x00\x00\x00\x00\x00\x08\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* 117 */
#define NB_SMB1_NEG "\x00\x00\x00/\xffSMBr\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0c\x00\x02NT LM 0.12\x00" /* 51 */
#define NB_OTHER "\x00\x00\x00\x02hi" /* 6 */
#define LDAP_BIND "0\x1a\x02\x01\x01`\x15\x02\x01\x03\x04\x08" "cn=admin\x80\x06secret" /* 28 */
#define LDAP_BIND_RESP "0\x0c\x02\x01\x01" "a\x07\x0a\x01\x00\x04\x00\x04\x00" /* 14 */
#define LDAP_UNBIND "0\x05\x02\x01\x03" "B\x00" /* 7 */
#define LDAP_ENTRY_LONG "0\x81\xe5\x02\x02\x02\x00" "d\x81\xde\x04\x11" "dc=example,dc=org0\x81\xc8xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" /* 232 */
#define LDAP_DONE "0\x0d\x02\x02\x02\x00" "e\x07\x0a\x01\x00\x04\x00\x04\x00" /* 15 */
#define WS_TEXT_MASKED "\x81\x85\x11\x22" "3DyG_(~" /* 11 */
#define WS_TEXT "\x81\x0ahello back" /* 12 */
#define WS_BIN_300 "\x82\xfe\x01,\x11\x22" "3D\x11#1G\x15'5C\x19+9O\x1d/=K\x01" "3!W\x05" "7%S\x09;)_\x0d\x3f-[1\x03\x11g5\x07\x15" "c9\x0b\x19o=\x0f\x1dk!\x13\x01w%\x17\x05s)\x1b\x09\x7f-\x1f\x0d{Qcq\x07Ugu\x03Yky\x0f]o}\x0b" "Asa\x17" "Ewe\x13I{i\x1fM\x7fm\x1bqCQ'uGU#yKY/}O]+aSA7eWE3i[I\x3fm_M;\x91\xa3\xb1\xc7\x95\xa7\xb5\xc3\x99\xab\xb9\xcf\x9d\xaf\xbd\xcb\x81\xb3\xa1\xd7\x85\xb7\xa5\xd3\x89\xbb\xa9\xdf\x8d\xbf\xad\xdb\xb1\x83\x91\xe7\xb5\x87\x95\xe3\xb9\x8b\x99\xef\xbd\x8f\x9d\xeb\xa1\x93\x81\xf7\xa5\x97\x85\xf3\xa9\x9b\x89\xff\xad\x9f\x8d\xfb\xd1\xe3\xf1\x87\xd5\xe7\xf5\x83\xd9\xeb\xf9\x8f\xdd\xef\xfd\x8b\xc1\xf3\xe1\x97\xc5\xf7\xe5\x93\xc9\xfb\xe9\x9f\xcd\xff\xed\x9b\xf1\xc3\xd1\xa7\xf5\xc7\xd5\xa3\xf9\xcb\xd9\xaf\xfd\xcf\xdd\xab\xe1\xd3\xc1\xb7\xe5\xd7\xc5\xb3\xe9\xdb\xc9\xbf\xed\xdf\xcd\xbb\x11\x22" "3D\x11\x22" "3D\x11\x22" "3D\x11\x22" "3D\x11\x22" "3D\x11\x22" "3D\x11\x22" "3D\x11\x22" "3D\x11\x22" "3D\x11\x22" "3D\x11\x22" "3D" /* 308 */
#define WS_FRAG1 "\x01\x03par" /* 5 */
#define WS_FRAG2 "\x80\x02ts" /* 4 */
#define WS_PING "\x89\x81\x11\x22" "3Da" /* 7 */
#define WS_PONG "\x8a\x01p" /* 3 */
#define WS_CLOSE_MASKED "\x88\x85\x11\x22" "3D\x12\xcaQ=t" /* 11 */
#define WS_CLOSE "\x88\x02\x03\xe9" /* 4 */
#define WS_CLOSE_EMPTY "\x88\x00" /* 2 */
#define H2_PREFACE "PRI * HTTP/2.0\x0d\x0a\x0d\x0aSM\x0d\x0a\x0d\x0a" /* 24 */
#define H2_SETTINGS "\x00\x00\x06\x04\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00" "d" /* 15 */
#define H2_SETTINGS_ACK "\x00\x00\x00\x04\x01\x00\x00\x00\x00" /* 9 */
#define H2_HEADERS "\x00\x00\x06\x01\x05\x00\x00\x00\x01\x82\x86\x84" "A\x01" "a" /* 15 */
#define H2_RESP_HEADERS "\x00\x00\x01\x01\x04\x00\x00\x00\x01\x88" /* 10 */
#define H2_DATA_END "\x00\x00\x05\x00\x01\x00\x00\x00\x01hello" /* 14 */
#define H2_WINDOW "\x00\x00\x04\x08\x00\x00\x00\x00\x00\x00\x00\xff\xff" /* 13 */
#define H2_GOAWAY "\x00\x00\x08\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* 17 */
#define H2_UNKNOWN "\x00\x00\x02\x10\x00\x00\x00\x00\x00xy" /* 11 */
#define H2_PING_STREAM1 "\x00\x00\x08\x06\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00" /* 17 */
#define MQ_CONNECT "\x10\x0f\x00\x04MQTT\x04\x02\x00<\x00\x03" "cli" /* 17 */
#define MQ_CONNACK " \x02\x00\x00" /* 4 */
#define MQ_SUBSCRIBE "\x82\x08\x00\x01\x00\x03" "a/b\x00" /* 10 */
#define MQ_SUBACK "\x90\x03\x00\x01\x00" /* 5 */
#define MQ_PUBLISH "0\x0a\x00\x03" "a/bhello" /* 12 */
#define MQ_PUBLISH_BIG "2\xd7\x01\x00\x0bsensors/t/1\x00\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" /* 218 */
#define MQ_PUBACK "@\x02\x00\x07" /* 4 */
#define MQ_PINGREQ "\xc0\x00" /* 2 */
#define MQ_PINGRESP "\xd0\x00" /* 2 */
#define MQ_DISCONNECT "\xe0\x00" /* 2 */

/* A message cut by another framer than the fixture's (a hand-over). */
#define BY(d, s, i, p) {(d), (s), sizeof(s) - 1, (i), false, (p)}

/* Streams a framer must reject at once: raw, one framer error. */
typedef struct bad_input {
    const char *bytes;
    size_t len;
    const char *why;
} bad_input;

#define BAD(s, why) {(s), sizeof(s) - 1, (why)}

static void run_rejected(const sess_framer *fr, const bad_input *bad, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(case_label, sizeof case_label, "%.24s: ", bad[i].why);
        const seg s[] = {{0, bad[i].bytes, bad[i].len, 0}, FIN_BOTH};
        const want w[] = {{0, bad[i].bytes, bad[i].len, "", false, "raw"}};
        run_splits(FIXTURE(fr, NULL, 0, s, w, 1), false);
    }
    case_label[0] = '\0';
}

/* ==== Kerberos ================================================================ */

#define KRB(max, s, w, err) FIXTURE(&sess_framer_krb, NULL, max, s, w, err)

TEST(krb_messages)
{
    static const seg s[] = {DATA(0, KRB_AS_REQ KRB_TGS_REQ), DATA(1, KRB_ERROR),
                            FIN_BOTH};
    static const want w[] = {MSG(0, KRB_AS_REQ, "AS-REQ"),
                             MSG(0, KRB_TGS_REQ, "TGS-REQ"),
                             MSG(1, KRB_ERROR, "KRB-ERROR")};
    run_splits(KRB(0, s, w, 0), true);
}

TEST(krb_malformed)
{
    /* the reserved bit; a body that is no Kerberos message; a zero length */
    static const seg s[] = {DATA(0, "\x80\x00\x00\x02j\x00"),
                            DATA(1, KRB_ERROR "\x00\x00\x00\x02" "0\x00"), FIN_BOTH};
    static const want w[] = {RAW(0, "\x80\x00\x00\x02j\x00"),
                             MSG(1, KRB_ERROR, "KRB-ERROR"),
                             RAW(1, "\x00\x00\x00\x02" "0\x00")};
    run_splits(KRB(0, s, w, 2), false);
    static const seg s2[] = {DATA(0, "\x00\x00\x00\x00j"), FIN_BOTH};
    static const want w2[] = {RAW(0, "\x00\x00\x00\x00j")};
    run_splits(KRB(0, s2, w2, 1), false);
}

TEST(krb_partial_and_truncated)
{
    static const seg s[] = {DATA(0, KRB_AS_REQ), DATA(1, "\x00\x00\x00\x03~\x01"),
                            END(-1, SESS_FF_EOC)};
    static const want w[] = {SIZED(0, 8, "AS-REQ", true), SIZED(0, 2, "AS-REQ", false),
                             MSG(1, "\x00\x00\x00\x03~\x01", "KRB-ERROR")};
    run_splits(KRB(8, s, w, 0), true);
}

/* ==== PostgreSQL ============================================================== */

#define PGSQL(max, s, w, err) FIXTURE(&sess_framer_pgsql, NULL, max, s, w, err)

TEST(pgsql_startup_and_query)
{
    static const seg s[] = {
        DATA(0, PG_STARTUP), DATA(1, PG_AUTH_OK PG_PARAM PG_READY),
        DATA(0, PG_QUERY),
        DATA(1, PG_ROWDESC PG_DATAROW PG_COMPLETE PG_READY),
        DATA(0, PG_TERMINATE), FIN_BOTH,
    };
    static const want w[] = {
        MSG(0, PG_STARTUP, "StartupMessage"),
        MSG(0, PG_QUERY, "Query: SELECT 1;"),
        MSG(0, PG_TERMINATE, "Terminate"),
        MSG(1, PG_AUTH_OK, "AuthenticationOk"),
        MSG(1, PG_PARAM, "ParameterStatus"),
        MSG(1, PG_READY, "ReadyForQuery"),
        MSG(1, PG_ROWDESC, "RowDescription"),
        MSG(1, PG_DATAROW, "DataRow"),
        MSG(1, PG_COMPLETE, "CommandComplete: SELECT 1"),
        MSG(1, PG_READY, "ReadyForQuery"),
    };
    run_splits(PGSQL(0, s, w, 0), true);
}

/* 'S' hands both directions to TLS; the answer and the server's first
 * record may share a segment. */
TEST(pgsql_ssl_accepted_then_tls)
{
    static const seg s[] = {DATA(0, PG_SSLREQ), DATA(1, "S" PG_TLS_SHELLO),
                            DATA(0, PG_TLS_HELLO), FIN_BOTH};
    static const want w[] = {
        MSG(0, PG_SSLREQ, "SSLRequest"),
        BY(0, PG_TLS_HELLO, "Handshake", "tls"),
        MSG(1, "S", "SSL accepted"),
        BY(1, PG_TLS_SHELLO, "Handshake", "tls"),
    };
    run_splits(PGSQL(0, s, w, 0), true);
}

TEST(pgsql_ssl_refused_then_startup)
{
    static const seg s[] = {DATA(0, PG_SSLREQ), DATA(1, "N"), DATA(0, PG_STARTUP),
                            DATA(1, PG_AUTH_MD5 PG_ERROR), FIN_BOTH};
    static const want w[] = {
        MSG(0, PG_SSLREQ, "SSLRequest"),
        MSG(0, PG_STARTUP, "StartupMessage"),
        MSG(1, "N", "SSL refused"),
        MSG(1, PG_AUTH_MD5, "AuthenticationMD5Password"),
        MSG(1, PG_ERROR, "ErrorResponse"),
    };
    run_splits(PGSQL(0, s, w, 0), true);
}

/* GSSAPI encryption is not framed: raw after 'G', with no error. */
TEST(pgsql_gssenc_accepted_then_raw)
{
    static const seg s[] = {DATA(0, PG_GSSREQ), DATA(1, "G"),
                            DATA(0, "\x00\x00\x00\x03wrp"), DATA(1, "\x00\x00\x00\x01w"),
                            FIN_BOTH};
    static const want w[] = {
        MSG(0, PG_GSSREQ, "GSSENCRequest"),
        BY(0, "\x00\x00\x00\x03wrp", "", "raw"),
        MSG(1, "G", "GSSENC accepted"),
        BY(1, "\x00\x00\x00\x01w", "", "raw"),
    };
    run_splits(PGSQL(0, s, w, 0), true);
}

/* An old server answers SSLRequest with an error message. */
TEST(pgsql_ssl_answered_by_error)
{
    static const seg s[] = {DATA(0, PG_SSLREQ), DATA(1, PG_ERROR), FIN_BOTH};
    static const want w[] = {MSG(0, PG_SSLREQ, "SSLRequest"),
                             MSG(1, PG_ERROR, "ErrorResponse")};
    run_splits(PGSQL(0, s, w, 0), true);
}

TEST(pgsql_cancel)
{
    static const seg s[] = {DATA(0, PG_CANCEL), FIN_BOTH};
    static const want w[] = {MSG(0, PG_CANCEL, "CancelRequest")};
    run_splits(PGSQL(0, s, w, 0), true);
}

/* A capture that starts after the startup: both directions by type byte. */
TEST(pgsql_midstream)
{
    static const seg s[] = {DATA(1, PG_READY), DATA(0, PG_QUERY),
                            DATA(1, PG_COMPLETE), FIN_BOTH};
    static const want w[] = {MSG(0, PG_QUERY, "Query: SELECT 1;"),
                             MSG(1, PG_READY, "ReadyForQuery"),
                             MSG(1, PG_COMPLETE, "CommandComplete: SELECT 1")};
    run_splits(PGSQL(0, s, w, 0), true);
}

TEST(pgsql_long_query_summary)
{
    static const seg s[] = {DATA(0, PG_STARTUP PG_QUERY_LONG), FIN_BOTH};
    static const want w[] = {
        MSG(0, PG_STARTUP, "StartupMessage"),
        MSG(0, PG_QUERY_LONG, "Query: SELECT x, x, x, x, x, x, x, x, x, x, x, "
                              "x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, "
                              "x, "),
    };
    run_splits(PGSQL(0, s, w, 0), false);
}

TEST(pgsql_malformed)
{
    /* a type the frontend never sends; a length below 4 */
    static const seg s[] = {DATA(0, PG_STARTUP "Y\x00\x00\x00\x04"),
                            DATA(1, PG_AUTH_OK "R\x00\x00\x00\x02"), FIN_BOTH};
    static const want w[] = {MSG(0, PG_STARTUP, "StartupMessage"),
                             RAW(0, "Y\x00\x00\x00\x04"),
                             MSG(1, PG_AUTH_OK, "AuthenticationOk"),
                             RAW(1, "R\x00\x00\x00\x02")};
    run_splits(PGSQL(0, s, w, 2), false);
    /* a startup length below 8; an unknown code */
    static const seg s2[] = {DATA(0, "\x00\x00\x00\x04\x00\x03\x00\x00"),
                             DATA(1, "Z\x00\x00\x00\x05I"), FIN_BOTH};
    static const want w2[] = {RAW(0, "\x00\x00\x00\x04\x00\x03\x00\x00"),
                              MSG(1, "Z\x00\x00\x00\x05I", "ReadyForQuery")};
    run_splits(PGSQL(0, s2, w2, 1), false);
    static const seg s3[] = {DATA(0, "\x00\x00\x00\x08\x00\x02\x00\x00"), FIN_BOTH};
    static const want w3[] = {RAW(0, "\x00\x00\x00\x08\x00\x02\x00\x00")};
    run_splits(PGSQL(0, s3, w3, 1), false);
    /* a frontend that is not PostgreSQL does not hold the backend back */
    static const seg s5[] = {DATA(0, "\x00\x00\x00\x09\x00\x09\x00\x00x"),
                             DATA(1, PG_READY)};
    static const want w5[] = {MSG(1, PG_READY, "ReadyForQuery")};
    run_splits(PGSQL(0, s5, w5, 1), false);
    /* an answer to SSLRequest that is neither S nor N */
    static const seg s4[] = {DATA(0, PG_SSLREQ), DATA(1, "x"), FIN_BOTH};
    static const want w4[] = {MSG(0, PG_SSLREQ, "SSLRequest"), RAW(1, "x")};
    run_splits(PGSQL(0, s4, w4, 1), false);
}

TEST(pgsql_partial)
{
    static const seg s[] = {DATA(0, PG_STARTUP), DATA(1, PG_PARAM), FIN_BOTH};
    static const want w[] = {
        SIZED(0, 10, "StartupMessage", true), SIZED(0, 8, "StartupMessage", false),
        SIZED(1, 10, "ParameterStatus", true), SIZED(1, 10, "ParameterStatus", true),
        SIZED(1, 3, "ParameterStatus", false),
    };
    run_splits(PGSQL(10, s, w, 0), true);
}

/* ==== DCE/RPC ================================================================= */

#define DCERPC(max, s, w, err) FIXTURE(&sess_framer_dcerpc, NULL, max, s, w, err)

TEST(dcerpc_bind_request_response)
{
    static const seg s[] = {DATA(0, DCE_BIND), DATA(1, DCE_BIND_ACK),
                            DATA(0, DCE_REQUEST DCE_REQUEST_BE),
                            DATA(1, DCE_RESPONSE), FIN_BOTH};
    static const want w[] = {
        MSG(0, DCE_BIND, "bind"),
        MSG(0, DCE_REQUEST, "request opnum 4"),
        MSG(0, DCE_REQUEST_BE, "request opnum 258"),
        MSG(1, DCE_BIND_ACK, "bind_ack"),
        MSG(1, DCE_RESPONSE, "response"),
    };
    run_splits(DCERPC(0, s, w, 0), false);
    static const seg p[] = {DATA(0, DCE_REQUEST DCE_REQUEST_BE), FIN_BOTH};
    static const want pw[] = {MSG(0, DCE_REQUEST, "request opnum 4"),
                              MSG(0, DCE_REQUEST_BE, "request opnum 258")};
    run_splits(DCERPC(0, p, pw, 0), true);
}

TEST(dcerpc_malformed)
{
    static const bad_input bad[] = {
        BAD("\x04\x00\x0b\x03\x10\x00\x00\x00\x10\x00\x00\x00\x01\x00\x00\x00", "version 4"),
        BAD("\x05\x02\x0b\x03\x10\x00\x00\x00\x10\x00\x00\x00\x01\x00\x00\x00", "version 5.2"),
        BAD("\x05\x00\x01\x03\x10\x00\x00\x00\x10\x00\x00\x00\x01\x00\x00\x00", "ping (connectionless)"),
        BAD("\x05\x00\x0b\x03\x20\x00\x00\x00\x10\x00\x00\x00\x01\x00\x00\x00", "data representation"),
        BAD("\x05\x00\x0b\x03\x10\x00\x00\x00\x0f\x00\x00\x00\x01\x00\x00\x00", "frag_length 15"),
    };
    run_rejected(&sess_framer_dcerpc, bad, N(bad));
}

TEST(dcerpc_partial_and_truncated)
{
    static const seg s[] = {DATA(0, DCE_REQUEST), DATA(1, "\x05\x00\x02\x03"),
                            END(-1, SESS_FF_EOC)};
    static const want w[] = {SIZED(0, 20, "request opnum 4", true),
                             SIZED(0, 8, "request opnum 4", false),
                             RAW(1, "\x05\x00\x02\x03")};
    run_splits(DCERPC(20, s, w, 1), true);
}

/* ==== NetBIOS session service / SMB ============================================ */

#define NBSS(max, s, w, err) FIXTURE(&sess_framer_nbss, NULL, max, s, w, err)

TEST(nbss_smb2)
{
    static const seg s[] = {DATA(0, NB_SMB2_NEG), DATA(1, NB_SMB2_NEG_RESP),
                            DATA(0, NB_SMB2_READ NB_KEEPALIVE), FIN_BOTH};
    static const want w[] = {
        MSG(0, NB_SMB2_NEG, "SMB2 NEGOTIATE"),
        MSG(0, NB_SMB2_READ, "SMB2 READ"),
        MSG(0, NB_KEEPALIVE, "keepalive"),
        MSG(1, NB_SMB2_NEG_RESP, "SMB2 NEGOTIATE response"),
    };
    run_splits(NBSS(0, s, w, 0), false);
    static const seg p[] = {DATA(0, NB_KEEPALIVE NB_OTHER NB_KEEPALIVE), FIN_BOTH};
    static const want pw[] = {MSG(0, NB_KEEPALIVE, "keepalive"),
                              MSG(0, NB_OTHER, "session message"),
                              MSG(0, NB_KEEPALIVE, "keepalive")};
    run_splits(NBSS(0, p, pw, 0), true);
}

TEST(nbss_session_setup_and_smb1)
{
    static const seg s[] = {DATA(0, NB_SREQ), DATA(1, NB_SPOS),
                            DATA(0, NB_SMB1_NEG NB_OTHER), FIN_BOTH};
    static const want w[] = {
        MSG(0, NB_SREQ, "session request"),
        MSG(0, NB_SMB1_NEG, "SMB NEGOTIATE"),
        MSG(0, NB_OTHER, "session message"),
        MSG(1, NB_SPOS, "positive session response"),
    };
    run_splits(NBSS(0, s, w, 0), false);
}

TEST(nbss_malformed)
{
    /* an unknown type; reserved flag bits */
    static const seg s[] = {DATA(0, "\x86\x00\x00\x00"),
                            DATA(1, NB_SPOS "\x00\x02\x00\x01x"), FIN_BOTH};
    static const want w[] = {RAW(0, "\x86\x00\x00\x00"),
                             MSG(1, NB_SPOS, "positive session response"),
                             RAW(1, "\x00\x02\x00\x01x")};
    run_splits(NBSS(0, s, w, 2), false);
}

/* A message shorter than an SMB2 header is summarised from what it has;
 * one cut by the end of the capture too. */
TEST(nbss_short_and_truncated)
{
    static const seg s[] = {DATA(0, "\x00\x00\x00\x05\xfeSMB@"),
                            DATA(1, "\x00\x00\x00\x40\xfeSMB"), END(-1, SESS_FF_EOC)};
    static const want w[] = {MSG(0, "\x00\x00\x00\x05\xfeSMB@", "session message"),
                             MSG(1, "\x00\x00\x00\x40\xfeSMB", "session message")};
    run_splits(NBSS(0, s, w, 0), true);
}

/* ==== LDAP ===================================================================== */

#define LDAP(max, s, w, err) FIXTURE(&sess_framer_ldap, NULL, max, s, w, err)

TEST(ldap_bind_search_unbind)
{
    static const seg s[] = {DATA(0, LDAP_BIND), DATA(1, LDAP_BIND_RESP),
                            DATA(1, LDAP_ENTRY_LONG LDAP_DONE), DATA(0, LDAP_UNBIND),
                            FIN_BOTH};
    static const want w[] = {
        MSG(0, LDAP_BIND, "bindRequest"),
        MSG(0, LDAP_UNBIND, "unbindRequest"),
        MSG(1, LDAP_BIND_RESP, "bindResponse"),
        MSG(1, LDAP_ENTRY_LONG, "searchResEntry"),
        MSG(1, LDAP_DONE, "searchResDone"),
    };
    run_splits(LDAP(0, s, w, 0), false);
    static const seg p[] = {DATA(0, LDAP_BIND LDAP_UNBIND), FIN_BOTH};
    static const want pw[] = {MSG(0, LDAP_BIND, "bindRequest"),
                              MSG(0, LDAP_UNBIND, "unbindRequest")};
    run_splits(LDAP(0, p, pw, 0), true);
}

TEST(ldap_malformed)
{
    static const bad_input bad[] = {
        BAD("\x30\x80\x02\x01\x01\x42\x00\x00\x00", "indefinite length"),
        BAD("\x31\x05\x02\x01\x01\x42\x00", "not a SEQUENCE"),
        BAD("\x30\x05\x04\x01\x01\x42\x00", "messageID not INTEGER"),
        BAD("\x30\x05\x02\x01\x01\x30\x00", "protocolOp not APPLICATION"),
        BAD("\x30\x05\x02\x01\x01\x51\x00", "APPLICATION 17: unassigned"),
        BAD("\x30\x85\x00\x00\x00\x00\x05", "5 length bytes"),
        BAD("\x30\x03\x02\x01\x01", "too short for an operation"),
        BAD("\x30\x07\x02\x05\x01\x01\x01\x01\x01", "messageID of 5 bytes"),
    };
    run_rejected(&sess_framer_ldap, bad, N(bad));
}

TEST(ldap_partial_and_truncated)
{
    static const seg s[] = {DATA(1, LDAP_ENTRY_LONG), DATA(0, "\x30\x05\x02\x01"),
                            END(-1, SESS_FF_EOC)};
    static const want w[] = {
        SIZED(1, 100, "searchResEntry", true), SIZED(1, 100, "searchResEntry", true),
        SIZED(1, 32, "searchResEntry", false),
        MSG(0, "\x30\x05\x02\x01", "LDAPMessage"),
    };
    run_splits(LDAP(100, s, w, 0), false);
}

/* ==== WebSocket ================================================================= */

#define WS(max, s, w, err) FIXTURE(&sess_framer_ws, NULL, max, s, w, err)

TEST(ws_frames)
{
    static const seg s[] = {
        DATA(0, WS_TEXT_MASKED), DATA(1, WS_TEXT WS_FRAG1 WS_FRAG2),
        DATA(0, WS_PING), DATA(1, WS_PONG), DATA(0, WS_CLOSE_MASKED),
        DATA(1, WS_CLOSE), FIN_BOTH,
    };
    static const want w[] = {
        MSG(0, WS_TEXT_MASKED, "text 5 bytes"),
        MSG(0, WS_PING, "ping"),
        MSG(0, WS_CLOSE_MASKED, "close 1000"),
        MSG(1, WS_TEXT, "text 10 bytes"),
        MSG(1, WS_FRAG1, "text 3 bytes, not final"),
        MSG(1, WS_FRAG2, "continuation 2 bytes"),
        MSG(1, WS_PONG, "pong"),
        MSG(1, WS_CLOSE, "close 1001"),
    };
    run_splits(WS(0, s, w, 0), true);
}

TEST(ws_extended_lengths)
{
    static const seg s[] = {DATA(0, WS_BIN_300 WS_CLOSE_EMPTY), FIN_BOTH};
    static const want w[] = {MSG(0, WS_BIN_300, "binary 300 bytes"),
                             MSG(0, WS_CLOSE_EMPTY, "close")};
    run_splits(WS(0, s, w, 0), false);
    /* 64-bit length: cut into pieces, then truncated by the end */
    static const seg b[] = {DATA(1, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00" "abcdef"),
                            END(-1, SESS_FF_EOC)};
    static const want bw[] = {SIZED(1, 12, "binary 65536 bytes", true),
                              SIZED(1, 4, "binary 65536 bytes", false)};
    run_splits(WS(12, b, bw, 0), true);
}

TEST(ws_malformed)
{
    static const bad_input bad[] = {
        BAD("\x83\x00", "reserved opcode"),
        BAD("\x8b\x00", "reserved control"),
        BAD("\x09\x00", "fragmented ping"),
        BAD("\x89\x7e\x00\x7e", "ping of 126"),
        BAD("\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x01", "top bit of 64"),
    };
    run_rejected(&sess_framer_ws, bad, N(bad));
}

/* ==== HTTP/2 ===================================================================== */

#define H2(max, s, w, err) FIXTURE(&sess_framer_h2, NULL, max, s, w, err)

TEST(h2_prior_knowledge)
{
    static const seg s[] = {
        DATA(0, H2_PREFACE H2_SETTINGS H2_HEADERS),
        DATA(1, H2_SETTINGS H2_SETTINGS_ACK),
        DATA(0, H2_SETTINGS_ACK),
        DATA(1, H2_RESP_HEADERS H2_DATA_END H2_UNKNOWN),
        DATA(0, H2_WINDOW H2_GOAWAY), FIN_BOTH,
    };
    static const want w[] = {
        MSG(0, H2_PREFACE, "preface"),
        MSG(0, H2_SETTINGS, "SETTINGS"),
        MSG(0, H2_HEADERS, "HEADERS stream 1 END_STREAM"),
        MSG(0, H2_SETTINGS_ACK, "SETTINGS ACK"),
        MSG(0, H2_WINDOW, "WINDOW_UPDATE"),
        MSG(0, H2_GOAWAY, "GOAWAY"),
        MSG(1, H2_SETTINGS, "SETTINGS"),
        MSG(1, H2_SETTINGS_ACK, "SETTINGS ACK"),
        MSG(1, H2_RESP_HEADERS, "HEADERS stream 1"),
        MSG(1, H2_DATA_END, "DATA stream 1 END_STREAM"),
        MSG(1, H2_UNKNOWN, "type 0x10"),
    };
    run_splits(H2(0, s, w, 0), false);
    static const seg p[] = {DATA(0, H2_PREFACE H2_SETTINGS), FIN_BOTH};
    static const want pw[] = {MSG(0, H2_PREFACE, "preface"),
                              MSG(0, H2_SETTINGS, "SETTINGS")};
    run_splits(H2(0, p, pw, 0), true);
}

TEST(h2_malformed)
{
    /* PING on a stream; a preface cut by the end of the stream */
    static const seg s[] = {DATA(1, H2_SETTINGS H2_PING_STREAM1),
                            DATA(0, "PRI * HTTP/2.0\r\n"), FIN_BOTH};
    static const want w[] = {MSG(1, H2_SETTINGS, "SETTINGS"),
                             RAW(1, H2_PING_STREAM1),
                             RAW(0, "PRI * HTTP/2.0\r\n")};
    run_splits(H2(0, s, w, 2), false);
}

TEST(h2_partial)
{
    static const seg s[] = {DATA(0, H2_PREFACE), DATA(1, H2_DATA_END), FIN_BOTH};
    static const want w[] = {SIZED(0, 10, "preface", true), SIZED(0, 10, "preface", true),
                             SIZED(0, 4, "preface", false),
                             SIZED(1, 10, "DATA stream 1 END_STREAM", true),
                             SIZED(1, 4, "DATA stream 1 END_STREAM", false)};
    run_splits(H2(10, s, w, 0), true);
}

/* ==== MQTT ======================================================================== */

#define MQTT(max, s, w, err) FIXTURE(&sess_framer_mqtt, NULL, max, s, w, err)

TEST(mqtt_session)
{
    static const seg s[] = {
        DATA(0, MQ_CONNECT), DATA(1, MQ_CONNACK), DATA(0, MQ_SUBSCRIBE),
        DATA(1, MQ_SUBACK), DATA(0, MQ_PUBLISH MQ_PINGREQ),
        DATA(1, MQ_PUBLISH_BIG MQ_PINGRESP), DATA(0, MQ_PUBACK MQ_DISCONNECT),
        FIN_BOTH,
    };
    static const want w[] = {
        MSG(0, MQ_CONNECT, "CONNECT"),
        MSG(0, MQ_SUBSCRIBE, "SUBSCRIBE"),
        MSG(0, MQ_PUBLISH, "PUBLISH a/b"),
        MSG(0, MQ_PINGREQ, "PINGREQ"),
        MSG(0, MQ_PUBACK, "PUBACK"),
        MSG(0, MQ_DISCONNECT, "DISCONNECT"),
        MSG(1, MQ_CONNACK, "CONNACK"),
        MSG(1, MQ_SUBACK, "SUBACK"),
        MSG(1, MQ_PUBLISH_BIG, "PUBLISH sensors/t/1"),
        MSG(1, MQ_PINGRESP, "PINGRESP"),
    };
    run_splits(MQTT(0, s, w, 0), false);
    static const seg p[] = {DATA(0, MQ_CONNECT MQ_PUBLISH MQ_PINGREQ), FIN_BOTH};
    static const want pw[] = {MSG(0, MQ_CONNECT, "CONNECT"),
                              MSG(0, MQ_PUBLISH, "PUBLISH a/b"),
                              MSG(0, MQ_PINGREQ, "PINGREQ")};
    run_splits(MQTT(0, p, pw, 0), true);
}

TEST(mqtt_malformed)
{
    static const bad_input bad[] = {
        BAD("\x00\x00", "type 0"),
        BAD("\x11\x00", "CONNECT with flags"),
        BAD("\x80\x00", "SUBSCRIBE without flag 2"),
        BAD("\x36\x00", "PUBLISH QoS 3"),
        BAD("\x30\xff\xff\xff\xff\x01", "fifth length byte"),
        BAD("\x30\x03\x00\x05" "a", "topic beyond the packet"),
        BAD("\x30\x01\x00", "no room for a topic length"),
    };
    run_rejected(&sess_framer_mqtt, bad, N(bad));
}

TEST(mqtt_partial_and_truncated)
{
    static const seg s[] = {DATA(1, MQ_PUBLISH_BIG), DATA(0, "\x30\x10\x00\x03" "a/"),
                            END(-1, SESS_FF_EOC)};
    static const want w[] = {
        SIZED(1, 100, "PUBLISH sensors/t/1", true),
        SIZED(1, 100, "PUBLISH sensors/t/1", true),
        SIZED(1, 18, "PUBLISH sensors/t/1", false),
        MSG(0, "\x30\x10\x00\x03" "a/", "PUBLISH a/"),
    };
    run_splits(MQTT(100, s, w, 0), false);
}

/* ==== hand-overs from HTTP ====================================================== */

#define HTTP(s, w, err) FIXTURE(&sess_framer_http, NULL, 0, s, w, err)
#define H2C_REQ "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\n" \
    "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n"
#define H2C_101 "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"

/* h2c: the client's preface may come before the 101 is read; the answer
 * to the upgraded request is stream 1. */
TEST(http_upgrade_h2c)
{
    static const seg s[] = {DATA(0, H2C_REQ H2_PREFACE H2_SETTINGS),
                            DATA(1, H2C_101 H2_SETTINGS H2_RESP_HEADERS H2_DATA_END),
                            DATA(0, H2_SETTINGS_ACK), FIN_BOTH};
    static const want w[] = {
        MSG(0, H2C_REQ, "GET /"),
        BY(0, H2_PREFACE, "preface", "h2"),
        BY(0, H2_SETTINGS, "SETTINGS", "h2"),
        BY(0, H2_SETTINGS_ACK, "SETTINGS ACK", "h2"),
        MSG(1, H2C_101, "101 Switching Protocols"),
        BY(1, H2_SETTINGS, "SETTINGS", "h2"),
        BY(1, H2_RESP_HEADERS, "HEADERS stream 1", "h2"),
        BY(1, H2_DATA_END, "DATA stream 1 END_STREAM", "h2"),
    };
    run_splits(HTTP(s, w, 0), false);
}

/* A protocol no framer knows, or a 101 without Upgrade: raw as before;
 * "websocket/13" names WebSocket with a version. */
TEST(http_upgrade_other_protocols)
{
#define IRC_REQ "GET / HTTP/1.1\r\nUpgrade: IRC/6.9, websocket\r\nConnection: Upgrade\r\n\r\n"
#define IRC_101 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: IRC/6.9\r\n\r\n"
    static const seg s[] = {DATA(0, IRC_REQ "NICK a\r\n"), DATA(1, IRC_101 ":hi\r\n"),
                            FIN_BOTH};
    static const want w[] = {
        MSG(0, IRC_REQ, "GET /"), BY(0, "NICK a\r\n", "raw after upgrade", "http"),
        MSG(1, IRC_101, "101 Switching Protocols"),
        BY(1, ":hi\r\n", "raw after upgrade", "http"),
    };
    run_splits(HTTP(s, w, 0), false);
#define WS13_101 "HTTP/1.1 101 Switching Protocols\r\nupgrade:  WebSocket/13 \r\n\r\n"
    static const seg s2[] = {DATA(0, IRC_REQ WS_TEXT_MASKED), DATA(1, WS13_101 WS_TEXT),
                             FIN_BOTH};
    static const want w2[] = {
        MSG(0, IRC_REQ, "GET /"), BY(0, WS_TEXT_MASKED, "text 5 bytes", "ws"),
        MSG(1, WS13_101, "101 Switching Protocols"),
        BY(1, WS_TEXT, "text 10 bytes", "ws"),
    };
    run_splits(HTTP(s2, w2, 0), false);
}

/* ==== announced lengths and probes ================================================ */

TEST(announced_lengths_of_the_protocols)
{
    static const struct {
        const sess_framer *fr;
        const char *stream;
        size_t n, want;
    } cases[] = {
        {&sess_framer_krb, "\x00\x00\x01\x00j", 5, 4 + 256},
        {&sess_framer_krb, "\x00\x00\x01", 3, 0},
        {&sess_framer_pgsql, "T\x00\x00\x01\x00", 5, 1 + 256},
        {&sess_framer_dcerpc, DCE_BIND, 16, 72},
        {&sess_framer_nbss, "\x00\x01\x00\x00\xfeSMB@\x00\x00\x00\x00\x00\x00\x00"
                            "\x00\x00\x01\x00\x00", 21, 4 + 65536},
        {&sess_framer_ldap, "\x30\x82\x01\x00\x02\x01\x01\x64", 8, 4 + 256},
        {&sess_framer_ws, "\x82\x7e\x01\x00", 4, 4 + 256},
        {&sess_framer_ws, "\x82\xfe\x01\x00\x01\x02\x03\x04", 8, 8 + 256},
        {&sess_framer_h2, "\x00\x01\x00\x00\x00\x00\x00\x00\x01", 9, 9 + 256},
        {&sess_framer_mqtt, "\x30\x80\x02\x00\x01" "a", 6, 3 + 256},
        {&sess_framer_mqtt, "\xc0\x80\x80\x80", 4, 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        snprintf(case_label, sizeof case_label, "case %zu", i);
        ASSERT_EQ(expect_after(cases[i].fr, NULL, cases[i].stream, cases[i].n,
                               1u << 20),
                  cases[i].want);
    }
}

TEST(probes)
{
    static const struct {
        const sess_framer *fr;
        const char *data;
        size_t len;
        int want;
    } cases[] = {
        {&sess_framer_h2, H2_PREFACE, 24, 1},
        {&sess_framer_h2, H2_PREFACE, 10, -1},
        {&sess_framer_h2, "PRI * HTTP/1.1\r\n", 16, 0},
        {&sess_framer_h2, "GET / HTTP/1.1\r\n", 16, 0},
        {&sess_framer_dcerpc, DCE_BIND, 72, 1},
        {&sess_framer_dcerpc, DCE_BIND, 15, -1},
        {&sess_framer_dcerpc, DCE_REQUEST, 28, 0},   /* a client opens with bind */
        {&sess_framer_dcerpc, "\x05\x00\x0b\x03\x20", 5, 0},
        {&sess_framer_dcerpc, "\x16\x03\x01\x00\x10", 5, 0},
        {&sess_framer_dcerpc, "GET / HTTP/1.1\r\n", 16, 0},
        {&sess_framer_http, H2_PREFACE, 24, 0},
        {&sess_framer_http, DCE_BIND, 72, 0},
        {&sess_framer_tls, H2_PREFACE, 24, 0},
        {&sess_framer_tls, DCE_BIND, 72, 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        snprintf(case_label, sizeof case_label, "case %zu", i);
        ASSERT_EQ(cases[i].fr->probe((const uint8_t *)cases[i].data, cases[i].len),
                  cases[i].want);
    }
}

TEST_MAIN(TEST_CASE(krb_messages), TEST_CASE(krb_malformed),
          TEST_CASE(krb_partial_and_truncated), TEST_CASE(pgsql_startup_and_query),
          TEST_CASE(pgsql_ssl_accepted_then_tls), TEST_CASE(pgsql_ssl_refused_then_startup),
          TEST_CASE(pgsql_gssenc_accepted_then_raw), TEST_CASE(pgsql_ssl_answered_by_error),
          TEST_CASE(pgsql_cancel), TEST_CASE(pgsql_midstream),
          TEST_CASE(pgsql_long_query_summary), TEST_CASE(pgsql_malformed),
          TEST_CASE(pgsql_partial), TEST_CASE(dcerpc_bind_request_response),
          TEST_CASE(dcerpc_malformed), TEST_CASE(dcerpc_partial_and_truncated),
          TEST_CASE(nbss_smb2), TEST_CASE(nbss_session_setup_and_smb1),
          TEST_CASE(nbss_malformed), TEST_CASE(nbss_short_and_truncated),
          TEST_CASE(ldap_bind_search_unbind), TEST_CASE(ldap_malformed),
          TEST_CASE(ldap_partial_and_truncated), TEST_CASE(ws_frames),
          TEST_CASE(ws_extended_lengths), TEST_CASE(ws_malformed),
          TEST_CASE(h2_prior_knowledge), TEST_CASE(h2_malformed), TEST_CASE(h2_partial),
          TEST_CASE(mqtt_session), TEST_CASE(mqtt_malformed),
          TEST_CASE(mqtt_partial_and_truncated),
          TEST_CASE(http_upgrade_h2c), TEST_CASE(http_upgrade_other_protocols),
          TEST_CASE(announced_lengths_of_the_protocols), TEST_CASE(probes))
