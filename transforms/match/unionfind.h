/* unionfind.h — union-find over record numbers, the smallest number the root, so a
 * cluster's id (its root) does not depend on the order unions happen in. The caller
 * owns the parent array (n entries, parent[i] = i to start). */
#ifndef CM_UNIONFIND_H
#define CM_UNIONFIND_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];           /* path halving */
        x = parent[x];
    }
    return x;
}

/* 1 if a and b were in different sets (now one), 0 if already together. */
static inline int uf_unite(uint32_t *parent, uint32_t a, uint32_t b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a == b)
        return 0;
    if (a < b)
        parent[b] = a;
    else
        parent[a] = b;
    return 1;
}

static inline void uf_init(uint32_t *parent, size_t n)
{
    for (size_t i = 0; i < n; i++)
        parent[i] = (uint32_t)i;
}

#endif
