/* hash.h — fast non-cryptographic 64-bit hashing (content hashes, hash tables).
 * Not for security: content hashes only detect change between runs. */
#ifndef CM_HASH_H
#define CM_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash64(const void *data, size_t len, uint64_t seed);

/* 16 lower-case hex digits + NUL */
void hash64_hex(uint64_t h, char out[17]);

#endif
