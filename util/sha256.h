#ifndef UTIL_SHA256_H
#define UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

/*
 * SHA-256 (FIPS 180-4), for docker context directories (the hex digest of
 * a context's name) and for config hashes.
 */
struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes hashed so far */
	unsigned char block[64];
	size_t fill;
};

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);
/* One call: 'hex' gets 64 lower-case hex digits and a NUL. */
void sha256_hex(char hex[SHA256_HEX_LEN + 1], const void *data, size_t len);

#endif
