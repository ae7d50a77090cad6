/* run.h — the whole pipeline for `crmerge run`: extract every source, resolve,
 * publish in one transaction, record the run and its rejects, print the summary. */
#ifndef CM_RUN_H
#define CM_RUN_H

#include <stdio.h>
#include "pipeline/config.h"
#include "pipeline/status.h"

struct run_options {
    int full;                    /* --full: ignore bookmarks, read every source whole */
};

/* Returns CM_OK, or the status that decides the exit code (CM_ERR_REJECTS,
 * CM_ERR_INPUT for a source failure, CM_ERR_DB, CM_ERR_BUSY, ...). The summary is
 * printed to out; err explains a failure. */
enum cm_status pipeline_run(const struct config *cfg, const struct run_options *opt,
                            FILE *out, char *err);

#endif
