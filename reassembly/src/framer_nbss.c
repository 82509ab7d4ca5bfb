/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_nbss.c - NetBIOS session service (RFC 1002 4.3), and so SMB over
 * TCP on ports 139 and 445 (direct hosting uses the same 4-byte header).
 *
 * Each message is the header (type, flags whose low bit extends the 16-bit
 * length to 17 bits, length) and the payload.  Unknown packet types or
 * reserved flag bits end the framing.  A session message is summarised by
 * the SMB command it carries: for SMB2/SMB3 the command at offset 12 of the
 * SMB2 header and whether the header's flags mark a response, for SMB1 the
 * command byte; so a message is not started before those bytes are held
 * (or all of a shorter message).
 */
#include <stdio.h>

#include "framer_internal.h"

#define NBSS_HEADER_LEN 4
#define SMB2_SUMMARY_NEED (NBSS_HEADER_LEN + 17) /* through the flags byte */
#define SMB1_SUMMARY_NEED (NBSS_HEADER_LEN + 5)  /* through the command */

static const char *const smb2_commands[] = {
    "NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT",
    "CREATE", "CLOSE", "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL",
    "ECHO", "QUERY_DIRECTORY", "CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO",
    "OPLOCK_BREAK",
};

static const char *smb1_command(uint8_t cmd)
{
    switch (cmd) {
    case 0x04: return "CLOSE";
    case 0x24: return "LOCKING_ANDX";
    case 0x25: return "TRANSACTION";
    case 0x2e: return "READ_ANDX";
    case 0x2f: return "WRITE_ANDX";
    case 0x32: return "TRANSACTION2";
    case 0x71: return "TREE_DISCONNECT";
    case 0x72: return "NEGOTIATE";
    case 0x73: return "SESSION_SETUP_ANDX";
    case 0x74: return "LOGOFF_ANDX";
    case 0x75: return "TREE_CONNECT_ANDX";
    case 0xa0: return "NT_TRANSACT";
    case 0xa2: return "NT_CREATE_ANDX";
    default: return NULL;
    }
}

/* The summary of a session message's payload p[0, n). */
static void nbss_smb_info(const uint8_t *p, size_t n,
                          char info[SESS_FRAMER_INFO_SIZE])
{
    if (n >= 17 && memcmp(p, "\xfeSMB", 4) == 0) {
        unsigned cmd = p[12] | p[13] << 8;
        const char *dir = p[16] & 1 ? " response" : "";
        if (cmd < sizeof smb2_commands / sizeof smb2_commands[0])
            snprintf(info, SESS_FRAMER_INFO_SIZE, "SMB2 %s%s",
                     smb2_commands[cmd], dir);
        else
            snprintf(info, SESS_FRAMER_INFO_SIZE, "SMB2 command 0x%04x%s", cmd,
                     dir);
    } else if (n >= 4 && memcmp(p, "\xfdSMB", 4) == 0) {
        sess__info_set(info, "SMB3 encrypted");
    } else if (n >= 4 && memcmp(p, "\xfcSMB", 4) == 0) {
        sess__info_set(info, "SMB2 compressed");
    } else if (n >= 5 && memcmp(p, "\xffSMB", 4) == 0) {
        const char *name = smb1_command(p[4]);
        if (name)
            snprintf(info, SESS_FRAMER_INFO_SIZE, "SMB %s", name);
        else
            snprintf(info, SESS_FRAMER_INFO_SIZE, "SMB command 0x%02x", p[4]);
    } else {
        sess__info_set(info, "session message");
    }
}

static int nbss_header(const uint8_t *p, size_t n, bool end, uint64_t *total,
                       char info[SESS_FRAMER_INFO_SIZE])
{
    const char *name;
    switch (p[0]) {
    case 0x00: name = NULL; break;
    case 0x81: name = "session request"; break;
    case 0x82: name = "positive session response"; break;
    case 0x83: name = "negative session response"; break;
    case 0x84: name = "retarget session response"; break;
    case 0x85: name = "keepalive"; break;
    default: return -1;
    }
    if (n >= 2 && (p[1] & 0xfe) != 0)
        return -1;
    if (n < NBSS_HEADER_LEN)
        return 0;
    *total = NBSS_HEADER_LEN + ((uint64_t)(p[1] & 1) << 16 | p[2] << 8 | p[3]);
    if (name) {
        sess__info_set(info, name);
        return 1;
    }
    size_t have = n < *total ? n : (size_t)*total; /* of this message */
    size_t need = have > NBSS_HEADER_LEN && p[NBSS_HEADER_LEN] == 0xfe
                      ? SMB2_SUMMARY_NEED
                      : SMB1_SUMMARY_NEED;
    if (need > *total)
        need = (size_t)*total;
    if (have < need && !end)
        return 0;
    nbss_smb_info(p + NBSS_HEADER_LEN, have - NBSS_HEADER_LEN, info);
    return 1;
}

static int nbss_feed(void *dir_state, void *conn_state, const void *params,
                     const sess_framer_input *in, sess_framer_output *out)
{
    (void)conn_state;
    (void)params;
    return sess__sized_feed(dir_state, nbss_header, in, out);
}

const sess_framer sess_framer_nbss = {
    .name = "nbss",
    .dir_state_size = sizeof(sess__sized),
    .conn_state_size = 0,
    .probe = NULL,
    .feed = nbss_feed,
};
