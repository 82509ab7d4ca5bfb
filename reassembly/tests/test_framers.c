/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_framers.c - the message framers, fed the way the session feeds them.
 *
 * HTTP, TLS, DNS, the generic framers and raw; framer_driver.h replays each
 * fixture at every split point the way the session feeds a framer.
 */
#include "framer_driver.h"

/* ==== raw ==================================================================== */

TEST(raw_fin)
{
    static const seg s[] = {DATA(0, "hello"), DATA(0, " world"), END(0, SESS_FF_FIN)};
    static const want w[] = {MSG(0, "hello world", "")};
    run_splits(FIXTURE(&sess_framer_raw, NULL, 0, s, w, 0), true);
}

TEST(raw_eoc_and_rst)
{
    static const seg s[] = {DATA(0, "ping"), DATA(1, "pong"), END(0, SESS_FF_EOC),
                            END(1, SESS_FF_RST)};
    static const want w[] = {MSG(0, "ping", ""), MSG(1, "pong", "")};
    run_splits(FIXTURE(&sess_framer_raw, NULL, 0, s, w, 0), true);
}

TEST(raw_nothing_before_the_end)
{
    static const seg s[] = {DATA(0, "not yet")};
    static const want w[] = {{-1, NULL, 0, "", false, NULL}};
    run_splits(FIXTURE(&sess_framer_raw, NULL, 0, s, w, 0), false);
}

TEST(raw_partial_at_max_len)
{
    static const seg s[] = {DATA(0, "abcdefghij"), END(0, SESS_FF_FIN)};
    static const want w[] = {
        {0, "abcd", 4, "", true, NULL},
        {0, "efgh", 4, "", true, NULL},
        MSG(0, "ij", ""),
    };
    run_splits(FIXTURE(&sess_framer_raw, NULL, 4, s, w, 0), true);
}

/* A stream of exactly max_len is cut as soon as it is held: the piece is
 * partial whether or not the end comes with it. */
TEST(raw_exactly_max_len)
{
    static const seg s[] = {DATA(0, "abcd"), END(0, SESS_FF_FIN)};
    static const want w[] = {{0, "abcd", 4, "", true, NULL}};
    run_splits(FIXTURE(&sess_framer_raw, NULL, 4, s, w, 0), false);
}

TEST(raw_empty_stream)
{
    static const seg s[] = {END(-1, SESS_FF_FIN | SESS_FF_EOC)};
    static const want w[] = {{-1, NULL, 0, "", false, NULL}};
    run_splits(FIXTURE(&sess_framer_raw, NULL, 0, s, w, 0), false);
}

/* ==== HTTP =================================================================== */

#define HTTP(s, w, err) FIXTURE(&sess_framer_http, NULL, 0, s, w, err)

#define GET_INDEX "GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n"
#define POST_FORM "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
#define OK_ABC "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
#define CREATED "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"

TEST(http_pipelined_get_post)
{
    static const seg s[] = {DATA(0, GET_INDEX POST_FORM), DATA(1, OK_ABC CREATED),
                            FIN_BOTH};
    static const want w[] = {
        MSG(0, GET_INDEX, "GET /index.html"),
        MSG(0, POST_FORM, "POST /form"),
        MSG(1, OK_ABC, "200 OK"),
        MSG(1, CREATED, "201 Created"),
    };
    run_splits(HTTP(s, w, 0), true);
}

/* Content-Length repeated or as a list of equal values is one length. */
TEST(http_content_length_repeated)
{
#define REPEATED "PUT /r HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2, 2\r\n\r\nhi"
    static const seg s[] = {DATA(0, REPEATED GET_INDEX), FIN_BOTH};
    static const want w[] = {MSG(0, REPEATED, "PUT /r"),
                             MSG(0, GET_INDEX, "GET /index.html")};
    run_splits(HTTP(s, w, 0), false);
}

#define CHUNKED_REQ                                                            \
    "POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 99\r\n\r\n" \
    "5;name=val\r\nhello\r\n"                                                  \
    "6 ; a=\"q;x\"\r\n world\r\n"                                              \
    "0\r\n"                                                                    \
    "Trailer-A: 1\r\nTrailer-B: 2\r\n\r\n"
#define GET_NEXT "GET /next HTTP/1.1\r\n\r\n"
#define CHUNKED_RESP                                                           \
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"              \
    "A\r\n0123456789\r\n000\r\n\r\n"
#define NOT_FOUND "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

TEST(http_chunked_extensions_trailers)
{
    static const seg s[] = {DATA(0, CHUNKED_REQ GET_NEXT),
                            DATA(1, CHUNKED_RESP NOT_FOUND), FIN_BOTH};
    static const want w[] = {
        MSG(0, CHUNKED_REQ, "POST /up"),
        MSG(0, GET_NEXT, "GET /next"),
        MSG(1, CHUNKED_RESP, "200 OK"),
        MSG(1, NOT_FOUND, "404 Not Found"),
    };
    run_splits(HTTP(s, w, 0), true);
}

/* Bare LF line endings, in the head and in chunked framing. */
TEST(http_bare_lf)
{
#define LF_REQ "GET /lf HTTP/1.1\nHost: a\n\n"
#define LF_RESP "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n"
    static const seg s[] = {DATA(0, LF_REQ), DATA(1, LF_RESP), FIN_BOTH};
    static const want w[] = {MSG(0, LF_REQ, "GET /lf"), MSG(1, LF_RESP, "200 OK")};
    run_splits(HTTP(s, w, 0), true);
}

/* Empty lines before a request line belong to the request. */
TEST(http_leading_empty_lines)
{
#define AFTER_CRLF "\r\n\r\nGET /x HTTP/1.1\r\n\r\n"
    static const seg s[] = {DATA(0, "GET /a HTTP/1.1\r\n\r\n" AFTER_CRLF), FIN_BOTH};
    static const want w[] = {MSG(0, "GET /a HTTP/1.1\r\n\r\n", "GET /a"),
                             MSG(0, AFTER_CRLF, "GET /x")};
    run_splits(HTTP(s, w, 0), false);
}

#define GET_C "GET /c HTTP/1.1\r\nIf-None-Match: \"x\"\r\n\r\n"
#define NOT_MODIFIED "HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\nETag: \"x\"\r\n\r\n"
#define DELETE_D "DELETE /d HTTP/1.1\r\n\r\n"
#define NO_CONTENT "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
#define GET_E "GET /e HTTP/1.1\r\n\r\n"
#define OK_OK "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

TEST(http_304_and_204_have_no_body)
{
    static const seg s[] = {DATA(0, GET_C DELETE_D GET_E),
                            DATA(1, NOT_MODIFIED NO_CONTENT OK_OK), FIN_BOTH};
    static const want w[] = {
        MSG(0, GET_C, "GET /c"),
        MSG(0, DELETE_D, "DELETE /d"),
        MSG(0, GET_E, "GET /e"),
        MSG(1, NOT_MODIFIED, "304 Not Modified"),
        MSG(1, NO_CONTENT, "204 No Content"),
        MSG(1, OK_OK, "200 OK"),
    };
    run_splits(HTTP(s, w, 0), false);
}

#define HEAD_BIG "HEAD /big HTTP/1.1\r\n\r\n"
#define GET_SMALL "GET /small HTTP/1.1\r\n\r\n"
#define OK_1000 "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
#define OK_HI "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"

TEST(http_head_response_has_no_body)
{
    static const seg s[] = {DATA(0, HEAD_BIG GET_SMALL), DATA(1, OK_1000 OK_HI),
                            FIN_BOTH};
    static const want w[] = {
        MSG(0, HEAD_BIG, "HEAD /big"),
        MSG(0, GET_SMALL, "GET /small"),
        MSG(1, OK_1000, "200 OK"),
        MSG(1, OK_HI, "200 OK"),
    };
    run_splits(HTTP(s, w, 0), true);
}

#define POST_EXPECT "POST /x HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
#define CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"
#define EARLY_HINTS "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"

/* Interim responses leave their request pending: had they taken one, the
 * HEAD would be answered by the third response, and the fourth would take
 * the fifth as its body. */
TEST(http_interim_responses)
{
    static const seg s[] = {DATA(0, POST_EXPECT), DATA(1, CONTINUE),
                            DATA(0, "hello" HEAD_BIG GET_SMALL),
                            DATA(1, EARLY_HINTS OK_OK OK_1000 OK_HI), FIN_BOTH};
    static const want w[] = {
        MSG(0, POST_EXPECT "hello", "POST /x"),
        MSG(0, HEAD_BIG, "HEAD /big"),
        MSG(0, GET_SMALL, "GET /small"),
        MSG(1, CONTINUE, "100 Continue"),
        MSG(1, EARLY_HINTS, "103 Early Hints"),
        MSG(1, OK_OK, "200 OK"),
        MSG(1, OK_1000, "200 OK"),
        MSG(1, OK_HI, "200 OK"),
    };
    run_splits(HTTP(s, w, 0), true);
}

#define GET_OLD "GET /old HTTP/1.0\r\n\r\n"
#define CLOSE_DELIMITED "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of this, up to the close"

TEST(http_close_delimited_fin)
{
    static const seg s[] = {DATA(0, GET_OLD), DATA(1, CLOSE_DELIMITED),
                            END(1, SESS_FF_FIN), END(0, SESS_FF_FIN)};
    static const want w[] = {MSG(0, GET_OLD, "GET /old"),
                             MSG(1, CLOSE_DELIMITED, "200 OK")};
    run_splits(HTTP(s, w, 0), true);
}

TEST(http_close_delimited_eoc)
{
    static const seg s[] = {DATA(0, GET_OLD), DATA(1, CLOSE_DELIMITED),
                            END(-1, SESS_FF_EOC)};
    static const want w[] = {MSG(0, GET_OLD, "GET /old"),
                             MSG(1, CLOSE_DELIMITED, "200 OK")};
    run_splits(HTTP(s, w, 0), false);
}

/* A coding other than chunked last: the response runs to the close. */
TEST(http_close_delimited_transfer_coding)
{
#define GZIP_RESP "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nxyz"
    static const seg s[] = {DATA(0, GET_E), DATA(1, GZIP_RESP), FIN_BOTH};
    static const want w[] = {MSG(0, GET_E, "GET /e"), MSG(1, GZIP_RESP, "200 OK")};
    run_splits(HTTP(s, w, 0), false);
}

#define UPGRADE_REQ                                                            \
    "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
#define CLIENT_FRAME "\x81\x82" "abcd" "\x01\x02"
#define SWITCHING                                                              \
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
#define SERVER_FRAME "\x81\x02hi"

/* The client's first frame comes before the 101: it must not be parsed as a
 * request while the Upgrade is unanswered.  After the 101 both directions
 * are WebSocket's (other protocols: test_framers_protocols.c). */
TEST(http_upgrade_then_websocket)
{
    static const seg s[] = {DATA(0, UPGRADE_REQ CLIENT_FRAME),
                            DATA(1, SWITCHING SERVER_FRAME), FIN_BOTH};
    static const want w[] = {
        MSG(0, UPGRADE_REQ, "GET /chat"),
        {0, CLIENT_FRAME, sizeof CLIENT_FRAME - 1, "text 2 bytes", false, "ws"},
        MSG(1, SWITCHING, "101 Switching Protocols"),
        {1, SERVER_FRAME, sizeof SERVER_FRAME - 1, "text 2 bytes", false, "ws"},
    };
    run_splits(HTTP(s, w, 0), true);
}

/* An Upgrade declined with a 200: HTTP goes on. */
TEST(http_upgrade_declined)
{
    static const seg s[] = {DATA(0, UPGRADE_REQ GET_E), DATA(1, OK_HI OK_OK),
                            FIN_BOTH};
    static const want w[] = {
        MSG(0, UPGRADE_REQ, "GET /chat"),
        MSG(0, GET_E, "GET /e"),
        MSG(1, OK_HI, "200 OK"),
        MSG(1, OK_OK, "200 OK"),
    };
    run_splits(HTTP(s, w, 0), true);
}

#define CONNECT_REQ "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
#define CLIENT_HELLO "\x16\x03\x01\x00\x02\x01\x00"
#define ESTABLISHED "HTTP/1.1 200 Connection established\r\n\r\n"
#define SERVER_HELLO "\x16\x03\x03\x00\x01\x02"

TEST(http_connect_then_raw)
{
    static const seg s[] = {DATA(0, CONNECT_REQ CLIENT_HELLO),
                            DATA(1, ESTABLISHED SERVER_HELLO), FIN_BOTH};
    static const want w[] = {
        MSG(0, CONNECT_REQ, "CONNECT example.com:443"),
        MSG(0, CLIENT_HELLO, "raw after upgrade"),
        MSG(1, ESTABLISHED, "200 Connection established"),
        MSG(1, SERVER_HELLO, "raw after upgrade"),
    };
    run_splits(HTTP(s, w, 0), true);
}

/* A refused CONNECT (with a body) leaves HTTP in place; the retry succeeds. */
TEST(http_connect_refused_then_retried)
{
#define REFUSED "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 4\r\n\r\ndeny"
#define CONNECT_AUTH "CONNECT a:443 HTTP/1.1\r\nProxy-Authorization: x\r\n\r\n"
    static const seg s[] = {DATA(0, "CONNECT a:443 HTTP/1.1\r\n\r\n"), DATA(1, REFUSED),
                            DATA(0, CONNECT_AUTH), DATA(1, ESTABLISHED),
                            DATA(0, CLIENT_HELLO), DATA(1, SERVER_HELLO), FIN_BOTH};
    static const want w[] = {
        MSG(0, "CONNECT a:443 HTTP/1.1\r\n\r\n", "CONNECT a:443"),
        MSG(0, CONNECT_AUTH, "CONNECT a:443"),
        MSG(0, CLIENT_HELLO, "raw after upgrade"),
        MSG(1, REFUSED, "407 Proxy Authentication Required"),
        MSG(1, ESTABLISHED, "200 Connection established"),
        MSG(1, SERVER_HELLO, "raw after upgrade"),
    };
    run_splits(HTTP(s, w, 0), false);
}

/* No request at all: the other direction is idle, so each response is taken
 * as answering a GET. */
TEST(http_lost_request)
{
    static const seg s[] = {DATA(1, OK_HI NOT_MODIFIED), FIN_BOTH};
    static const want w[] = {MSG(1, OK_HI, "200 OK"),
                             MSG(1, NOT_MODIFIED, "304 Not Modified")};
    run_splits(HTTP(s, w, 0), true);
}

/* The request's head is still arriving: the response waits for it, and so
 * learns it answers a HEAD. */
TEST(http_response_waits_for_request)
{
    static const seg s[] = {DATA(0, "HEAD /a HTTP/1.1\r\n"),
                            DATA(1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
                            DATA(0, "\r\n"), FIN_BOTH};
    static const want w[] = {
        MSG(0, "HEAD /a HTTP/1.1\r\n\r\n", "HEAD /a"),
        MSG(1, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", "200 OK"),
    };
    run_splits(HTTP(s, w, 0), false);
}

/* Direction 1 may be the client: the start line decides. */
TEST(http_request_from_responder)
{
    static const seg s[] = {DATA(1, HEAD_BIG), DATA(0, OK_1000), FIN_BOTH};
    static const want w[] = {MSG(1, HEAD_BIG, "HEAD /big"), MSG(0, OK_1000, "200 OK")};
    run_splits(HTTP(s, w, 0), false);
}

/* A body cut short by the end of the capture is emitted as it is. */
TEST(http_truncated_body)
{
    static const seg s[] = {DATA(0, GET_E), DATA(1, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc"),
                            END(-1, SESS_FF_EOC)};
    static const want w[] = {MSG(0, GET_E, "GET /e"),
                             MSG(1, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", "200 OK")};
    run_splits(HTTP(s, w, 0), false);
}

/* Each message is malformed: the framer gives up and the direction is raw
 * from that message on. */
TEST(http_malformed)
{
    static const char *const bad[] = {
        "HELLO world\r\n\r\n",                                        /* no version */
        "GET  / HTTP/1.1\r\n\r\n",                                    /* double space */
        "GET / HTTP/2.0\r\n\r\n",                                     /* not HTTP/1 */
        "GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\nabc",            /* bad length */
        "GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabc", /* conflicting */
        "GET / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\nabc",
        "GET / HTTP/1.1\r\nContent-Length:\r\n\r\n",
        "GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\nabcde",          /* space before colon */
        "GET / HTTP/1.1\r\nno colon\r\n\r\n",
        "GET / HTTP/1.1\r\n folded: first\r\n\r\n",                   /* fold, no field */
        "GET / HTTP/1.1\r\nContent-Length: 5\r\n 6\r\n\r\nabc",       /* folded framing */
        "GET / HTTP/1.1\rX: y\r\n\r\n",                               /* bare CR */
        "GET / HTTP/1.1\r\nX: \x01\r\n\r\n",                          /* control byte */
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", /* bad chunk size */
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\nhello\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiX\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n11111111111111111\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n;x\r\n0\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nxx",       /* request, not chunked */
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n",
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 2000 OK\r\n\r\n",                                   /* bad status */
        "HTTP/1.1 600 Nope\r\n\r\n",
        "\x16\x03\x01\x00\x02\x01\x00",                               /* TLS */
        "GET / HTTP/1.1\r\nHost: a\r\n",                              /* head cut by FIN */
    };
    for (size_t i = 0; i < N(bad); i++) {
        seg s[] = {DATA(0, "GET /ok HTTP/1.1\r\n\r\n"), {0, bad[i], strlen(bad[i]), 0},
                   FIN_BOTH};
        want w[] = {MSG(0, "GET /ok HTTP/1.1\r\n\r\n", "GET /ok"),
                    {0, bad[i], strlen(bad[i]), "", false, "raw"}};
        snprintf(case_label, sizeof case_label, "case %zu, ", i);
        run_splits(HTTP(s, w, 1), false);
    }
    case_label[0] = '\0';
}

TEST(http_head_too_big)
{
    enum { FILL = 70000 };
    static char big[FILL + 64];
    size_t n = (size_t)snprintf(big, sizeof big, "GET / HTTP/1.1\r\nX: ");
    memset(big + n, 'a', FILL);
    memcpy(big + n + FILL, "\r\n\r\n", 4);
    n += FILL + 4;
    seg s[] = {{0, big, n, 0}, FIN_BOTH};
    want w[] = {{0, big, n, "", false, "raw"}};
    const fixture *fx = HTTP(s, w, 1);
    run_cuts(fx, NULL, 0, "whole");
    size_t cuts[] = {10, 1000, 65535, 65536, 65537, 69000};
    run_cuts(fx, cuts, N(cuts), "cuts");
}

/* A head just under the limit is fine, also fed a byte at a time (the scan
 * resumes, so this stays linear). */
TEST(http_head_at_limit_bytewise)
{
    enum { HEAD = 64 * 1024 };
    static char big[HEAD];
    size_t n = (size_t)snprintf(big, sizeof big, "GET /big HTTP/1.1\r\nX: ");
    memset(big + n, 'a', HEAD - n - 4);
    memcpy(big + HEAD - 4, "\r\n\r\n", 4);
    seg s[] = {{0, big, HEAD, 0}, FIN_BOTH};
    want w[] = {{0, big, HEAD, "GET /big", false, NULL}};
    driver *dv = zalloc(sizeof *dv);
    drv_init(dv, HTTP(s, w, 0), HEAD, 0);
    dv->copy_view = false;
    snprintf(dv->where, sizeof dv->where, "a byte at a time");
    for (size_t i = 0; i < HEAD; i++)
        drv_append(dv, 0, big + i, 1);
    drv_flags(dv, -1, SESS_FF_FIN);
    drv_check(dv);
    drv_free(dv);
    free(dv);
}

#define UPLOAD "POST /upload HTTP/1.1\r\nContent-Length: 40\r\n\r\n" \
               "0123456789012345678901234567890123456789"

/* 85 bytes in pieces of 16; the next request's head is longer than 16 too. */
TEST(http_big_body_partial_pieces)
{
    static const seg s[] = {DATA(0, UPLOAD GET_NEXT), DATA(1, OK_HI OK_OK), FIN_BOTH};
    static const want w[] = {
        SIZED(0, 16, "POST /upload", true), SIZED(0, 16, "POST /upload", true),
        SIZED(0, 16, "POST /upload", true), SIZED(0, 16, "POST /upload", true),
        SIZED(0, 16, "POST /upload", true), SIZED(0, 5, "POST /upload", false),
        SIZED(0, 16, "GET /next", true), SIZED(0, 6, "GET /next", false),
        SIZED(1, 16, "200 OK", true), SIZED(1, 16, "200 OK", true),
        SIZED(1, 8, "200 OK", false),
        SIZED(1, 16, "200 OK", true), SIZED(1, 16, "200 OK", true),
        SIZED(1, 8, "200 OK", false),
    };
    run_splits(FIXTURE(&sess_framer_http, NULL, 16, s, w, 0), true);
}

TEST(http_chunked_partial_pieces)
{
    /* CHUNKED_RESP is 75 bytes; a close-delimited response of 23 follows */
    static const seg s[] = {DATA(0, GET_E GET_E), DATA(1, CHUNKED_RESP "HTTP/1.1 200 OK\r\n\r\n0123"),
                            FIN_BOTH};
    static const want w[] = {
        MSG(0, GET_E, "GET /e"), MSG(0, GET_E, "GET /e"),
        SIZED(1, 32, "200 OK", true), SIZED(1, 32, "200 OK", true),
        SIZED(1, 11, "200 OK", false),
        SIZED(1, 23, "200 OK", false),
    };
    run_splits(FIXTURE(&sess_framer_http, NULL, 32, s, w, 0), false);
}

/* A close-delimited body of exactly max_len bytes, cut like the raw stream. */
TEST(http_close_delimited_partial)
{
    /* a request of exactly max_len; a 19-byte head and 21 bytes of body */
    static const seg s[] = {DATA(0, "GET /ee HTTP/1.1\r\n\r\n"),
                            DATA(1, "HTTP/1.0 200 OK\r\n\r\n0123456789abcdefghijk"),
                            FIN_BOTH};
    static const want w[] = {
        MSG(0, "GET /ee HTTP/1.1\r\n\r\n", "GET /ee"),
        SIZED(1, 20, "200 OK", true),
        SIZED(1, 20, "200 OK", true),
    };
    run_splits(FIXTURE(&sess_framer_http, NULL, 20, s, w, 0), false);
}

/* More requests in flight than the FIFO holds: all are still answered. */
TEST(http_many_pipelined)
{
    enum { COUNT = 100 };
    static char req[COUNT * 32], resp[COUNT * 64], infos[COUNT][16];
    want w[2 * COUNT];
    size_t rq = 0, rs = 0;
    for (int i = 0; i < COUNT; i++) {
        int n = sprintf(req + rq, "GET /%03d HTTP/1.1\r\n\r\n", i);
        snprintf(infos[i], sizeof infos[i], "GET /%03d", i);
        w[i] = (want){0, req + rq, (size_t)n, infos[i], false, NULL};
        rq += (size_t)n;
        n = sprintf(resp + rs, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n%d", i % 10);
        w[COUNT + i] = (want){1, resp + rs, (size_t)n, "200 OK", false, NULL};
        rs += (size_t)n;
    }
    seg s[] = {{0, req, rq, 0}, {1, resp, rs, 0}, FIN_BOTH};
    fixture fx = {&sess_framer_http, NULL, 0, s, N(s), w, N(w), 0};
    run_cuts(&fx, NULL, 0, "whole");
}

TEST(http_probe)
{
    const sess_framer *h = &sess_framer_http;
    ASSERT_EQ(h->probe((const uint8_t *)"GET / HTTP/1.1", 14), 1);
    ASSERT_EQ(h->probe((const uint8_t *)"OPTIONS * HTTP/1.1", 18), 1);
    ASSERT_EQ(h->probe((const uint8_t *)"HTTP/1.1 200 OK", 15), 1);
    ASSERT_EQ(h->probe((const uint8_t *)"GET", 3), -1);
    ASSERT_EQ(h->probe((const uint8_t *)"HTTP/", 5), -1);
    ASSERT_EQ(h->probe((const uint8_t *)"", 0), -1);
    ASSERT_EQ(h->probe((const uint8_t *)"GETX", 4), 0);
    ASSERT_EQ(h->probe((const uint8_t *)"HTTP/2", 6), 0);
    ASSERT_EQ(h->probe((const uint8_t *)"\x16\x03\x01", 3), 0);
}

/* ==== TLS ==================================================================== */

#define REC_HS "\x16\x03\x01\x00\x04" "\x01\x00\x00\x00"
#define REC_CCS "\x14\x03\x03\x00\x01" "\x01"
#define REC_APP "\x17\x03\x03\x00\x03" "abc"
#define REC_ALERT "\x15\x03\x03\x00\x02" "\x01\x00"
#define REC_EMPTY "\x17\x03\x04\x00\x00"
#define REC_HB "\x18\x03\x03\x00\x01" "\x01"

TEST(tls_records)
{
    static const seg s[] = {DATA(0, REC_HS REC_CCS REC_APP), DATA(1, REC_HS),
                            DATA(0, REC_ALERT REC_EMPTY REC_HB), FIN_BOTH};
    static const want w[] = {
        MSG(0, REC_HS, "Handshake"),
        MSG(0, REC_CCS, "Change Cipher Spec"),
        MSG(0, REC_APP, "Application Data"),
        MSG(0, REC_ALERT, "Alert"),
        MSG(0, REC_EMPTY, "Application Data"),
        MSG(0, REC_HB, "Heartbeat"),
        MSG(1, REC_HS, "Handshake"),
    };
    run_splits(FIXTURE(&sess_framer_tls, NULL, 0, s, w, 0), true);
}

TEST(tls_not_tls)
{
    static const struct { const char *bytes; size_t len; } bad[] = {
        {"GET / HTTP/1.1\r\n\r\n", 18},
        {"\x19\x03\x03\x00\x01" "x", 6}, /* content type 25 */
        {"\x16\x02\x00\x00\x01" "x", 6}, /* version 2 */
        {"\x16\x03\x05\x00\x01" "x", 6}, /* version 3.5 */
        {"\x17\x03\x03\x48\x01" "x", 6}, /* 18433 bytes */
        {"\x16\x03\x01\x00\x00", 5},     /* empty handshake */
        {"\x16\x03", 2},                 /* header cut by FIN */
    };
    for (size_t i = 0; i < N(bad); i++) {
        seg s[] = {DATA(0, REC_APP), {0, bad[i].bytes, bad[i].len, 0}, FIN_BOTH};
        want w[] = {MSG(0, REC_APP, "Application Data"),
                    {0, bad[i].bytes, bad[i].len, "", false, "raw"}};
        snprintf(case_label, sizeof case_label, "case %zu, ", i);
        run_splits(FIXTURE(&sess_framer_tls, NULL, 0, s, w, 1), false);
    }
    case_label[0] = '\0';
}

TEST(tls_partial_and_truncated)
{
    static const seg s[] = {DATA(0, REC_APP REC_HS "\x17\x03\x03\x00\x09" "abc"),
                            END(0, SESS_FF_EOC)};
    static const want w[] = {
        {0, "\x17\x03\x03\x00\x03" "a", 6, "Application Data", true, NULL},
        {0, "bc", 2, "Application Data", false, NULL},
        {0, "\x16\x03\x01\x00\x04" "\x01", 6, "Handshake", true, NULL},
        {0, "\x00\x00\x00", 3, "Handshake", false, NULL},
        {0, "\x17\x03\x03\x00\x09" "a", 6, "Application Data", true, NULL},
        {0, "bc", 2, "Application Data", false, NULL}, /* truncated */
    };
    run_splits(FIXTURE(&sess_framer_tls, NULL, 6, s, w, 0), true);
}

TEST(tls_probe)
{
    const sess_framer *t = &sess_framer_tls;
    ASSERT_EQ(t->probe((const uint8_t *)REC_HS, 9), 1);
    ASSERT_EQ(t->probe((const uint8_t *)REC_HS, 5), 1);
    ASSERT_EQ(t->probe((const uint8_t *)REC_HS, 3), -1);
    ASSERT_EQ(t->probe((const uint8_t *)"", 0), -1);
    ASSERT_EQ(t->probe((const uint8_t *)REC_APP, 8), 0); /* not a handshake */
    ASSERT_EQ(t->probe((const uint8_t *)"\x16\x03\x07", 3), 0);
    ASSERT_EQ(t->probe((const uint8_t *)"GET ", 4), 0);
}

/* ==== DNS ==================================================================== */

#define DNS_QUERY "\x00\x0c" "\x12\x34\x01\x00" "\x00\x01\x00\x00\x00\x00\x00\x00"
#define DNS_QUERY2 "\x00\x0d" "\xbe\xef\x01\x00" "\x00\x01\x00\x00\x00\x00\x00\x00" "x"
#define DNS_RESPONSE "\x00\x0e" "\x12\x34\x81\x80" "\x00\x01\x00\x01\x00\x00\x00\x00" "\xab\xcd"

TEST(dns_messages)
{
    static const seg s[] = {DATA(0, DNS_QUERY DNS_QUERY2), DATA(1, DNS_RESPONSE),
                            FIN_BOTH};
    static const want w[] = {
        MSG(0, DNS_QUERY, "query id 0x1234"),
        MSG(0, DNS_QUERY2, "query id 0xbeef"),
        MSG(1, DNS_RESPONSE, "response id 0x1234"),
    };
    run_splits(FIXTURE(&sess_framer_dns, NULL, 0, s, w, 0), true);
}

TEST(dns_malformed)
{
    static const struct { const char *bytes; size_t len; } bad[] = {
        {"\x00\x00", 2},                        /* empty message */
        {"\x00\x05" "\x12\x34\x01\x00\x00", 7}, /* shorter than a header */
        {"\x00\x0c" "\x12", 3},                 /* cut by FIN */
    };
    for (size_t i = 0; i < N(bad); i++) {
        seg s[] = {DATA(0, DNS_QUERY), {0, bad[i].bytes, bad[i].len, 0}, FIN_BOTH};
        want w[] = {MSG(0, DNS_QUERY, "query id 0x1234"),
                    {0, bad[i].bytes, bad[i].len, "", false, "raw"}};
        snprintf(case_label, sizeof case_label, "case %zu, ", i);
        run_splits(FIXTURE(&sess_framer_dns, NULL, 0, s, w, 1), false);
    }
    case_label[0] = '\0';
}

TEST(dns_partial)
{
    static const seg s[] = {DATA(0, DNS_RESPONSE), FIN_BOTH};
    static const want w[] = {
        SIZED(0, 8, "response id 0x1234", true),
        SIZED(0, 8, "response id 0x1234", false),
    };
    run_splits(FIXTURE(&sess_framer_dns, NULL, 8, s, w, 0), false);
}

/* ==== length-prefixed ========================================================= */

static void length_case(sess_length_params p, const char *stream, size_t n,
                        const size_t *lens, size_t nlens)
{
    seg s[] = {{0, stream, n, 0}, FIN_BOTH};
    want w[8];
    size_t off = 0;
    for (size_t i = 0; i < nlens; i++) {
        w[i] = (want){0, stream + off, lens[i], "", false, NULL};
        char *info = zalloc(32);
        snprintf(info, 32, "%zu bytes", lens[i]);
        w[i].info = info;
        off += lens[i];
    }
    fixture fx = {&sess_framer_length, &p, 0, s, N(s), w, nlens, 0};
    run_splits(&fx, true);
    for (size_t i = 0; i < nlens; i++)
        free((char *)w[i].info);
}

#define LENGTH_CASE(params, stream, ...)                                       \
    do {                                                                       \
        static const size_t lens[] = {__VA_ARGS__};                            \
        length_case((params), stream, sizeof(stream) - 1, lens, N(lens));      \
    } while (0)

TEST(length_sizes_and_endianness)
{
    LENGTH_CASE(((sess_length_params){0, 1, false, 0}), "\x03" "abc" "\x00" "\x01" "z", 4, 1, 2);
    LENGTH_CASE(((sess_length_params){0, 2, false, 0}), "\x00\x02" "hi" "\x00\x00", 4, 2);
    LENGTH_CASE(((sess_length_params){0, 2, true, 0}), "\x02\x00" "hi" "\x01\x00" "x", 4, 3);
    LENGTH_CASE(((sess_length_params){0, 4, false, 0}), "\x00\x00\x00\x01" "x" "\x00\x00\x00\x00", 5, 4);
    LENGTH_CASE(((sess_length_params){0, 4, true, 0}), "\x01\x00\x00\x00" "x" "\x02\x00\x00\x00" "yz", 5, 6);
}

TEST(length_offset_and_adjustment)
{
    /* a 4-byte header, the 2-byte big-endian length of the payload at 2 */
    LENGTH_CASE(((sess_length_params){2, 2, false, 0}),
                "\xaa\xbb\x00\x03" "xyz" "\xaa\xbb\x00\x00", 7, 4);
    /* the length counts the whole message, its own field included */
    LENGTH_CASE(((sess_length_params){0, 2, false, -2}),
                "\x00\x05" "abc" "\x00\x02", 5, 2);
    /* the length leaves out a 4-byte trailer */
    LENGTH_CASE(((sess_length_params){1, 1, false, 4}),
                "T\x02" "ab" "CRC!" "T\x00" "CRC!", 8, 6);
}

TEST(length_errors)
{
    static const sess_length_params whole = {0, 2, false, -2};
    static const seg s[] = {DATA(0, "\x00\x05" "abc" "\x00\x01" "zz"), FIN_BOTH};
    static const want w[] = {MSG(0, "\x00\x05" "abc", "5 bytes"),
                             RAW(0, "\x00\x01" "zz")};
    run_splits(FIXTURE(&sess_framer_length, &whole, 0, s, w, 1), false);

    static const sess_length_params below = {0, 1, false, -3};
    static const seg s2[] = {DATA(0, "\x02" "ab"), FIN_BOTH};
    static const want w2[] = {RAW(0, "\x02" "ab")};
    run_splits(FIXTURE(&sess_framer_length, &below, 0, s2, w2, 1), false);

    static const sess_length_params bad_size = {0, 3, false, 0};
    run_splits(FIXTURE(&sess_framer_length, &bad_size, 0, s2, w2, 1), false);

    static const sess_length_params plain = {2, 2, false, 0};
    static const seg s3[] = {DATA(0, "\x00\x00\x00"), FIN_BOTH}; /* header cut */
    static const want w3[] = {RAW(0, "\x00\x00\x00")};
    run_splits(FIXTURE(&sess_framer_length, &plain, 0, s3, w3, 1), false);
}

TEST(length_partial)
{
    static const sess_length_params p = {0, 1, false, 0};
    static const seg s[] = {DATA(0, "\x09" "abcdefghi" "\x01" "z"), FIN_BOTH};
    static const want w[] = {
        {0, "\x09" "abc", 4, "10 bytes", true, NULL},
        {0, "defg", 4, "10 bytes", true, NULL},
        {0, "hi", 2, "10 bytes", false, NULL},
        {0, "\x01" "z", 2, "2 bytes", false, NULL},
    };
    run_splits(FIXTURE(&sess_framer_length, &p, 4, s, w, 0), true);
}

/* ==== delimiter-terminated ===================================================== */

TEST(delim_lines_and_tail)
{
    static const sess_delim_params crlf = {{'\r', '\n'}, 2};
    static const seg s[] = {DATA(0, "USER a\r\nPASS b\r\n"), DATA(0, "\r\ntail"),
                            DATA(1, "220 ok\r\n"), END(0, SESS_FF_FIN),
                            END(1, SESS_FF_EOC)};
    static const want w[] = {
        MSG(0, "USER a\r\n", "USER a"),
        MSG(0, "PASS b\r\n", "PASS b"),
        MSG(0, "\r\n", ""),
        MSG(0, "tail", "tail"),
        MSG(1, "220 ok\r\n", "220 ok"),
    };
    run_splits(FIXTURE(&sess_framer_delim, &crlf, 0, s, w, 0), true);
}

/* The delimiter straddles a cut at max_len: the message ends just after. */
TEST(delim_across_partial_cut)
{
    static const sess_delim_params crlf = {{'\r', '\n'}, 2};
    static const seg s[] = {DATA(0, "abc\r\nxy\r\nlongerline"), END(0, SESS_FF_FIN)};
    static const want w[] = {
        {0, "abc\r", 4, "abc.", true, NULL},
        MSG(0, "\n", ""),
        MSG(0, "xy\r\n", "xy"),
        {0, "long", 4, "long", true, NULL},
        {0, "erli", 4, "erli", true, NULL},
        MSG(0, "ne", "ne"),
    };
    run_splits(FIXTURE(&sess_framer_delim, &crlf, 4, s, w, 0), true);

    /* "aab": after the piece "xaa" the match starts inside the kept tail */
    static const sess_delim_params aab = {{'a', 'a', 'b'}, 3};
    static const seg s2[] = {DATA(0, "xaaab" "ca"), END(0, SESS_FF_FIN)};
    static const want w2[] = {
        {0, "xaa", 3, "xaa", true, NULL},
        MSG(0, "ab", ""),
        MSG(0, "ca", "ca"),
    };
    run_splits(FIXTURE(&sess_framer_delim, &aab, 3, s2, w2, 0), true);
}

TEST(delim_parse)
{
    sess_delim_params p;
    ASSERT_EQ(sess_delim_parse("\\r\\n", &p), SESS_OK);
    ASSERT_EQ(p.delim_len, 2);
    ASSERT_MEM_EQ(p.delim, "\r\n", 2);
    ASSERT_EQ(sess_delim_parse("\\x41\\x0a\\t\\0\\\\;", &p), SESS_OK);
    ASSERT_EQ(p.delim_len, 6);
    ASSERT_MEM_EQ(p.delim, "A\n\t\0\\;", 6);
    ASSERT_EQ(sess_delim_parse("0123456789abcdef", &p), SESS_OK);
    ASSERT_EQ(p.delim_len, 16);

    ASSERT_EQ(sess_delim_parse("", &p), SESS_EINVAL);
    ASSERT_EQ(sess_delim_parse("0123456789abcdefg", &p), SESS_EINVAL);
    ASSERT_EQ(sess_delim_parse("\\q", &p), SESS_EINVAL);
    ASSERT_EQ(sess_delim_parse("\\x4", &p), SESS_EINVAL);
    ASSERT_EQ(sess_delim_parse("\\xzz", &p), SESS_EINVAL);
    ASSERT_EQ(sess_delim_parse("ab\\", &p), SESS_EINVAL);
    ASSERT_EQ(sess_delim_parse(NULL, &p), SESS_EINVAL);
    ASSERT_EQ(p.delim_len, 16); /* untouched by a failure */
}

/* ==== announced lengths ======================================================== */

TEST(announced_lengths)
{
    static const char tls[] = "\x17\x03\x03\x01\x00";
    static const char dns[] = "\x00\x20\xab\xcd\x01\x00";
    static const char cl[] = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nab";
    static const char chunked[] =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nab";
    static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n";
    static const sess_length_params be16 = {.offset = 0, .size = 2};
    static const struct {
        const sess_framer *fr;
        const void *params;
        const char *stream;
        size_t n, max_len, want;
    } cases[] = {
        {&sess_framer_tls, NULL, tls, 3, 1 << 20, 0},        /* header cut */
        {&sess_framer_tls, NULL, tls, 5, 1 << 20, 5 + 256},
        {&sess_framer_tls, NULL, tls, 5, 100, 100},          /* capped */
        {&sess_framer_dns, NULL, dns, 6, 1 << 20, 2 + 32},
        {&sess_framer_length, &be16, dns, 4, 1 << 20, 2 + 32},
        {&sess_framer_http, NULL, cl, sizeof cl - 1, 1 << 20, sizeof cl - 1 - 2 + 1000},
        {&sess_framer_http, NULL, chunked, sizeof chunked - 1, 1 << 20, sizeof chunked - 1 - 2 + 256},
        {&sess_framer_http, NULL, req, sizeof req - 1, 1 << 20, 0},  /* head unfinished */
        {&sess_framer_raw, NULL, req, sizeof req - 1, 1 << 20, 0},
    };
    for (size_t i = 0; i < N(cases); i++) {
        snprintf(case_label, sizeof case_label, "case %zu", i);
        ASSERT_EQ(expect_after(cases[i].fr, cases[i].params, cases[i].stream,
                               cases[i].n, cases[i].max_len),
                  cases[i].want);
    }
}

/* ==== the default table ======================================================== */

TEST(default_table)
{
    const sess_framer_table *t = sess_framer_table_default();
    static const struct { uint16_t port; const sess_framer *framer; } want_entries[] = {
        {80, &sess_framer_http}, {8000, &sess_framer_http}, {8080, &sess_framer_http},
        {443, &sess_framer_tls}, {8443, &sess_framer_tls}, {53, &sess_framer_dns},
        {88, &sess_framer_krb}, {5432, &sess_framer_pgsql},
        {135, &sess_framer_dcerpc}, {139, &sess_framer_nbss},
        {445, &sess_framer_nbss}, {389, &sess_framer_ldap},
        {3268, &sess_framer_ldap}, {1883, &sess_framer_mqtt},
    };
    ASSERT_EQ(t->nentries, N(want_entries));
    for (size_t i = 0; i < N(want_entries); i++) {
        ASSERT_EQ(t->entries[i].port, want_entries[i].port);
        ASSERT(t->entries[i].framer == want_entries[i].framer);
        ASSERT(t->entries[i].params == NULL);
    }
    ASSERT_EQ(t->nheuristics, 4);
    ASSERT(t->heuristics[0] == &sess_framer_http);
    ASSERT(t->heuristics[1] == &sess_framer_tls);
    ASSERT(t->heuristics[2] == &sess_framer_h2);
    ASSERT(t->heuristics[3] == &sess_framer_dcerpc);
}

TEST_MAIN(TEST_CASE(announced_lengths), TEST_CASE(raw_fin), TEST_CASE(raw_eoc_and_rst),
          TEST_CASE(raw_nothing_before_the_end), TEST_CASE(raw_partial_at_max_len),
          TEST_CASE(raw_exactly_max_len), TEST_CASE(raw_empty_stream),
          TEST_CASE(http_pipelined_get_post), TEST_CASE(http_content_length_repeated),
          TEST_CASE(http_chunked_extensions_trailers), TEST_CASE(http_bare_lf),
          TEST_CASE(http_leading_empty_lines), TEST_CASE(http_304_and_204_have_no_body),
          TEST_CASE(http_head_response_has_no_body), TEST_CASE(http_interim_responses),
          TEST_CASE(http_close_delimited_fin), TEST_CASE(http_close_delimited_eoc),
          TEST_CASE(http_close_delimited_transfer_coding),
          TEST_CASE(http_upgrade_then_websocket), TEST_CASE(http_upgrade_declined),
          TEST_CASE(http_connect_then_raw), TEST_CASE(http_connect_refused_then_retried),
          TEST_CASE(http_lost_request), TEST_CASE(http_response_waits_for_request),
          TEST_CASE(http_request_from_responder), TEST_CASE(http_truncated_body),
          TEST_CASE(http_malformed), TEST_CASE(http_head_too_big),
          TEST_CASE(http_head_at_limit_bytewise), TEST_CASE(http_big_body_partial_pieces),
          TEST_CASE(http_chunked_partial_pieces), TEST_CASE(http_close_delimited_partial),
          TEST_CASE(http_many_pipelined), TEST_CASE(http_probe),
          TEST_CASE(tls_records), TEST_CASE(tls_not_tls), TEST_CASE(tls_partial_and_truncated),
          TEST_CASE(tls_probe), TEST_CASE(dns_messages), TEST_CASE(dns_malformed),
          TEST_CASE(dns_partial), TEST_CASE(length_sizes_and_endianness),
          TEST_CASE(length_offset_and_adjustment), TEST_CASE(length_errors),
          TEST_CASE(length_partial), TEST_CASE(delim_lines_and_tail),
          TEST_CASE(delim_across_partial_cut), TEST_CASE(delim_parse),
          TEST_CASE(default_table))
