/* loopback.h — tests/http/server.py on a loopback port for a unit test. It owns a private
 * temporary directory (the scenario, the files the routes serve, the port file, the
 * request log, the server's stderr) and the server process (fork/exec, stopped at the
 * end; it also exits by itself after 30 s idle).
 *
 *   static struct loopback lb;
 *   if (loopback_start(&lb, scenario_json)) ...    lb.base is "http://127.0.0.1:PORT"
 *   loopback_write(&lb, "big.txt", data, n);       the server reads served files on request
 *   json_t *reqs = loopback_requests(&lb, "/search"); ... json_decref(reqs);
 *   loopback_stop(&lb);
 *
 * Tests run from the repository root. loopback_stop is safe after a failed start. */
#ifndef CM_TEST_LOOPBACK_H
#define CM_TEST_LOOPBACK_H

#include <dirent.h>
#include <fnmatch.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tests/unit/testlib.h"

struct loopback {
    char dir[64];                /* the temporary directory, "" when there is none */
    pid_t pid;                   /* the server, 0 when none runs */
    char base[64];               /* "http://127.0.0.1:PORT" once started */
};

/* out = the file name in the directory */
static inline void loopback_path(const struct loopback *lb, const char *name, char *out,
                                 size_t cap)
{
    snprintf(out, cap, "%s/%s", lb->dir, name);
}

/* Write data[0..len) to the file name in the directory; 0 or -1. */
static inline int loopback_write(const struct loopback *lb, const char *name,
                                 const void *data, size_t len)
{
    char path[128];
    loopback_path(lb, name, path, sizeof path);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

/* Make the directory, write scenario.json, start the server and wait for its port
 * (10 s at most); 0 or -1. */
static inline int loopback_start(struct loopback *lb, const char *scenario_json)
{
    char scen[128], port[128], log[128], errlog[128];
    memset(lb, 0, sizeof *lb);
    strcpy(lb->dir, "/tmp/crmerge-loopback.XXXXXX");
    if (!mkdtemp(lb->dir)) {
        lb->dir[0] = '\0';
        return -1;
    }
    if (loopback_write(lb, "scenario.json", scenario_json, strlen(scenario_json)))
        return -1;
    loopback_path(lb, "scenario.json", scen, sizeof scen);
    loopback_path(lb, "port", port, sizeof port);
    loopback_path(lb, "log", log, sizeof log);
    loopback_path(lb, "server.err", errlog, sizeof errlog);
    lb->pid = fork();
    if (lb->pid < 0) {
        lb->pid = 0;
        return -1;
    }
    if (lb->pid == 0) {
        if (!freopen(errlog, "w", stderr) || !freopen("/dev/null", "r", stdin))
            _exit(126);
        execlp("python3", "python3", "tests/http/server.py", "--scenario", scen,
               "--port-file", port, "--log", log, "--idle-exit", "30", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 200; i++) {             /* the port file, 10 s at most */
        FILE *f = fopen(port, "r");
        int n = 0;
        if (f) {
            int got = fscanf(f, "%d", &n);
            fclose(f);
            if (got == 1 && n > 0) {
                snprintf(lb->base, sizeof lb->base, "http://127.0.0.1:%d", n);
                return 0;
            }
        }
        struct timespec ts = { 0, 50 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    return -1;
}

/* The logged requests (objects with method, path, query, headers, body) whose path
 * matches pattern, a path or a shell pattern ('*' also crosses '/': "/api*" is all
 * under /api), as a JSON array, oldest first (caller decrefs). */
static inline json_t *loopback_requests(const struct loopback *lb, const char *pattern)
{
    char log[128], *line = NULL;
    size_t cap = 0;
    loopback_path(lb, "log", log, sizeof log);
    json_t *all = json_array();
    FILE *f = fopen(log, "r");
    while (f && getline(&line, &cap, f) > 0) {
        json_t *e = json_loads(line, 0, NULL);
        const char *p = json_string_value(json_object_get(e, "path"));
        if (p && fnmatch(pattern, p, 0) == 0)
            json_array_append(all, e);
        json_decref(e);
    }
    free(line);
    if (f)
        fclose(f);
    return all;
}

/* Stop the server; when a case failed, show what it said on stderr; remove every file
 * in the directory, then the directory. */
static inline void loopback_stop(struct loopback *lb)
{
    char path[512];
    if (lb->pid > 0) {
        kill(lb->pid, SIGTERM);
        waitpid(lb->pid, NULL, 0);
        lb->pid = 0;
    }
    if (!lb->dir[0])
        return;
    if (tl_failed) {                            /* for the post-mortem */
        loopback_path(lb, "server.err", path, sizeof path);
        FILE *f = fopen(path, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f))
            fprintf(stderr, "server: %s", line);
        if (f)
            fclose(f);
    }
    DIR *d = opendir(lb->dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            loopback_path(lb, e->d_name, path, sizeof path);
            unlink(path);
        }
    }
    if (d)
        closedir(d);
    rmdir(lb->dir);
    lb->dir[0] = '\0';
}

#endif
