/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * names.c - every name and message the core prints: the version, error
 * codes, overlap policies, tunnel kinds, anomaly kinds.
 *
 * One place, so that a new code, policy or anomaly gets its text where the
 * others are, and the plugin, the tools and the tests print the same words.
 */
#include "sessions.h"

#define SESS_STR(x) #x
#define SESS_XSTR(x) SESS_STR(x)

unsigned sess_version(void)
{
    return SESS_VERSION_HEX;
}

const char *sess_version_string(void)
{
    return SESS_XSTR(SESS_VERSION_MAJOR) "." SESS_XSTR(SESS_VERSION_MINOR) "."
        SESS_XSTR(SESS_VERSION_PATCH);
}

const char *sess_strerror(int code)
{
    switch (code) {
    case SESS_OK:
        return "ok";
#define XX(name, value, msg)                                                   \
    case SESS_E##name:                                                         \
        return msg;
        SESS_ERRNO_MAP(XX)
#undef XX
    }
    return "unknown error";
}

const char *sess_ip_policy_name(sess_ip_policy p)
{
    static const char *const names[] = {"first", "last", "bsd", "linux",
                                        "windows", "solaris", "drop"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

const char *sess_tcp_policy_name(sess_tcp_policy p)
{
    static const char *const names[] = {"first", "last", "bsd", "windows",
                                        "linux", "old-linux", "solaris", "vista"};
    return (unsigned)p < sizeof names / sizeof names[0] ? names[p] : "?";
}

const char *sess_tunnel_name(sess_tunnel t)
{
    static const char *const names[] = {"", "ipip", "gre", "pptp", "vxlan",
                                        "geneve", "gtpu", "l2tp", "erspan"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

const char *sess_anomaly_name(sess_anomaly a)
{
    switch (a) {
    case SESS_AN_TRUNCATED: return "truncated";
    case SESS_AN_BAD_LENGTH: return "bad-length";
    case SESS_AN_UNSUPPORTED_LINK: return "unsupported-link";
    case SESS_AN_FRAG_CONFLICT: return "frag-conflict";
    case SESS_AN_FRAG_TOO_LONG: return "frag-too-long";
    case SESS_AN_FRAG_BAD_SIZE: return "frag-bad-size";
    case SESS_AN_FRAG_PAST_END: return "frag-past-end";
    case SESS_AN_FRAG_END_CONFLICT: return "frag-end-conflict";
    case SESS_AN_FRAG_DROPPED: return "frag-dropped";
    case SESS_AN_FRAG_TIMEOUT: return "frag-timeout";
    case SESS_AN_FRAG_MEMCAP: return "frag-memcap";
    case SESS_AN_TCP_CONFLICT: return "tcp-conflict";
    case SESS_AN_TCP_LATE: return "tcp-late";
    case SESS_AN_TCP_WINDOW: return "tcp-window";
    case SESS_AN_TCP_DIR_CAP: return "tcp-dir-cap";
    case SESS_AN_TCP_MEMCAP: return "tcp-memcap";
    case SESS_AN_TCP_DEPTH: return "tcp-depth";
    case SESS_AN_FRAMER_ERROR: return "framer-error";
    case SESS_AN_MESSAGE_PARTIAL: return "message-partial";
    case SESS_AN_FLOW_EVICTED: return "flow-evicted";
    case SESS_AN_NOMEM: return "out-of-memory";
    }
    return "?";
}
