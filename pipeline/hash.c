/* hash.c — 64-bit hash in the MurmurHash64A style: 8 bytes a step, multiply-mix,
 * final avalanche. Written from the published algorithm description. */
#include "pipeline/hash.h"

#include <string.h>

static uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

uint64_t hash64(const void *data, size_t len, uint64_t seed)
{
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    const unsigned char *p = data;
    uint64_t h = seed ^ (len * m);

    while (len >= 8) {
        uint64_t k = load64(p);
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
        p += 8;
        len -= 8;
    }
    uint64_t tail = 0;
    switch (len) {
    case 7: tail ^= (uint64_t)p[6] << 48; /* fall through */
    case 6: tail ^= (uint64_t)p[5] << 40; /* fall through */
    case 5: tail ^= (uint64_t)p[4] << 32; /* fall through */
    case 4: tail ^= (uint64_t)p[3] << 24; /* fall through */
    case 3: tail ^= (uint64_t)p[2] << 16; /* fall through */
    case 2: tail ^= (uint64_t)p[1] << 8;  /* fall through */
    case 1: tail ^= (uint64_t)p[0];
        h ^= tail;
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

void hash64_hex(uint64_t h, char out[17])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[h & 15];
        h >>= 4;
    }
    out[16] = '\0';
}
