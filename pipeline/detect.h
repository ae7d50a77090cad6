/* detect.h — which known layout a file is (`crmerge detect`, `"layout": "auto"`).
 *
 * First the file's kind, from its bytes: a directory holding CONTACT1 (GoldMine), gzip
 * (looked inside), BEGIN:VCARD (vCard), an XML root element (Siebel EAI), a dBase
 * header, else delimited text. Then, for kinds with a header (CSV, DBF), every layout
 * in schemas/ written for a reader of that kind scores the header
 * (mapping_header_score); for the others the layouts of that reader are the
 * candidates. Detection never guesses silently: no candidate above DETECT_MIN_SCORE is
 * "unknown", two within DETECT_MARGIN of each other are "ambiguous". */
#ifndef CM_DETECT_H
#define CM_DETECT_H

#include <stddef.h>
#include "pipeline/status.h"

#define DETECT_MAX_CANDIDATES 8
#define DETECT_MIN_SCORE 0.30
#define DETECT_MARGIN 0.05

struct detect_candidate {
    char layout[64];
    char connector[32];
    double score;                /* 0..1 */
};

enum detect_verdict { DETECT_MATCH, DETECT_UNKNOWN, DETECT_AMBIGUOUS };

struct detect_result {
    enum detect_verdict verdict;
    char kind[32];               /* "csv", "dbf", "goldmine", "vcard", "siebel_xml", "xml" */
    char how[64];                /* "header", "magic bytes", "root element SiebelMessage" */
    struct detect_candidate candidates[DETECT_MAX_CANDIDATES];   /* best first */
    size_t ncandidates;
};

/* only_connector: consider only layouts for this connector (NULL: any). A file that
 * cannot be opened is an error; an unknown or ambiguous file is a result. */
enum cm_status detect_file(const char *path, const char *only_connector,
                           struct detect_result *out, char *err);

/* "act (0.86, header)" / "unknown (nearest: outlook 0.12, act 0.05)" /
 * "ambiguous: outlook 0.71, google 0.69" into out. */
void detect_format(const struct detect_result *r, char *out, size_t cap);

#endif
