/* Fastboot UDP packets, once for both ends (udp_proto.h). */
#include "fastboot/udp_proto.h"

void k1_fbudp_put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

uint16_t k1_fbudp_get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

void k1_fbudp_put_header(uint8_t h[K1_FBUDP_HEADER], uint8_t id, uint8_t flags, uint16_t seq)
{
	h[0] = id;
	h[1] = flags;
	k1_fbudp_put_u16(h + 2, seq);
}

int k1_fbudp_parse(const uint8_t *buf, size_t len, struct k1_fbudp_packet *p, struct k1_error *err)
{
	if (len < K1_FBUDP_HEADER)
		return k1_err(err, K1_EPROTO,
			      "a %zu-byte packet: shorter than the %d-byte header (id, flags, "
			      "sequence number)",
			      len, K1_FBUDP_HEADER);
	p->id = buf[0];
	p->flags = buf[1];
	p->seq = k1_fbudp_get_u16(buf + 2);
	p->data = buf + K1_FBUDP_HEADER;
	p->len = len - K1_FBUDP_HEADER;
	return 0;
}

bool k1_fbudp_answers(const struct k1_fbudp_packet *p, uint8_t id, uint16_t seq)
{
	return p->seq == seq && (p->id == id || p->id == K1_FBUDP_ERROR);
}

int k1_fbudp_parse_query(const uint8_t *data, size_t len, uint16_t *next, struct k1_error *err)
{
	if (len < 2)
		return k1_err(err, K1_EPROTO,
			      "QUERY answer of %zu data bytes: expected the 2-byte next sequence "
			      "number",
			      len);
	*next = k1_fbudp_get_u16(data);
	return 0;
}

int k1_fbudp_parse_init(const uint8_t *data, size_t len, uint16_t *version, uint16_t *max_packet,
			struct k1_error *err)
{
	if (len < 4)
		return k1_err(err, K1_EPROTO,
			      "INIT of %zu data bytes: expected a 2-byte version and a 2-byte "
			      "packet size",
			      len);
	*version = k1_fbudp_get_u16(data);
	*max_packet = k1_fbudp_get_u16(data + 2);
	if (*version < K1_FBUDP_VERSION)
		return k1_err(err, K1_EPROTO, "INIT: protocol version %u: expected %d or later",
			      *version, K1_FBUDP_VERSION);
	if (*max_packet < K1_FBUDP_MIN_PACKET)
		return k1_err(err, K1_EPROTO, "INIT: packet size %u: expected at least %d",
			      *max_packet, K1_FBUDP_MIN_PACKET);
	return 0;
}

enum k1_fbudp_verdict k1_fbudp_classify(const struct k1_fbudp_packet *p, uint16_t expected)
{
	if (p->id == K1_FBUDP_QUERY)
		return K1_FBUDP_QUERY_ME;
	if (p->id != K1_FBUDP_INIT && p->id != K1_FBUDP_FASTBOOT)
		return K1_FBUDP_REJECT;
	if (p->seq == expected)
		return K1_FBUDP_NEW;
	if (p->seq == (uint16_t)(expected - 1))
		return K1_FBUDP_RESEND;
	return K1_FBUDP_IGNORE;
}

void k1_fbudp_error_text(const uint8_t *data, size_t len, char *out, size_t outsz)
{
	size_t n = len < outsz - 1 ? len : outsz - 1;

	for (size_t i = 0; i < n; i++)
		out[i] = data[i] >= 0x20 && data[i] <= 0x7e ? (char)data[i] : '?';
	out[n] = '\0';
}
