/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * framer_mqtt.c - MQTT control packets (MQTT 3.1.1 section 2, MQTT 5.0
 * section 2).
 *
 * Each message is one control packet: a byte with the packet type and
 * flags, the remaining length as a variable byte integer (1 to 4 bytes,
 * 7 bits each, low group first) and that many bytes.  Packet type 0, flags
 * other than those the standard fixes for the type, PUBLISH with QoS 3 and a
 * fifth length byte end the framing.  A PUBLISH is summarised with its topic
 * name, which follows the fixed header as a 2-byte length and UTF-8 text in
 * both versions; the message is not started before as much of the topic as
 * the summary shows is held.
 */
#include "framer_internal.h"

enum { MQTT_PUBLISH = 3 };

static const char *const mqtt_types[16] = {
    NULL,       "CONNECT",     "CONNACK",  "PUBLISH",   "PUBACK",
    "PUBREC",   "PUBREL",      "PUBCOMP",  "SUBSCRIBE", "SUBACK",
    "UNSUBSCRIBE", "UNSUBACK", "PINGREQ",  "PINGRESP",  "DISCONNECT",
    "AUTH",
};

static bool mqtt_flags_ok(uint8_t first)
{
    unsigned type = first >> 4, flags = first & 0x0f;
    if (type == MQTT_PUBLISH)
        return (flags & 0x06) != 0x06; /* QoS 3 */
    if (type == 6 || type == 8 || type == 10) /* PUBREL, (UN)SUBSCRIBE */
        return flags == 0x02;
    return flags == 0;
}

static int mqtt_header(const uint8_t *p, size_t n, bool end, uint64_t *total,
                       char info[SESS_FRAMER_INFO_SIZE])
{
    if (mqtt_types[p[0] >> 4] == NULL || !mqtt_flags_ok(p[0]))
        return -1;
    uint64_t remaining = 0;
    size_t i = 1;
    for (;; i++) {
        if (i > 4)
            return -1;
        if (i >= n)
            return 0;
        remaining |= (uint64_t)(p[i] & 0x7f) << (7 * (i - 1));
        if (!(p[i] & 0x80))
            break;
    }
    size_t header = i + 1;
    *total = header + remaining;
    sess__info_set(info, mqtt_types[p[0] >> 4]);
    size_t at = strlen(info);
    if (p[0] >> 4 != MQTT_PUBLISH)
        return 1;
    /* the topic: as much as the summary shows, within the packet */
    size_t have = n < *total ? n : (size_t)*total;
    if (remaining < 2)
        return -1;
    if (have < header + 2)
        return end ? 1 : 0;
    size_t topic = (size_t)(p[header] << 8 | p[header + 1]);
    if (topic > remaining - 2)
        return -1;
    size_t shown = SESS_FRAMER_INFO_SIZE - 1 - (at + 1);
    if (topic < shown)
        shown = topic;
    if (have < header + 2 + shown && !end)
        return 0;
    if (have - header - 2 < shown)
        shown = have - header - 2;
    if (shown == 0)
        return 1;
    info[at++] = ' ';
    sess__info_append(info, &at, p + header + 2, shown);
    return 1;
}

static int mqtt_feed(void *dir_state, void *conn_state, const void *params,
                     const sess_framer_input *in, sess_framer_output *out)
{
    (void)conn_state;
    (void)params;
    return sess__sized_feed(dir_state, mqtt_header, in, out);
}

const sess_framer sess_framer_mqtt = {
    .name = "mqtt",
    .dir_state_size = sizeof(sess__sized),
    .conn_state_size = 0,
    .probe = NULL,
    .feed = mqtt_feed,
};
