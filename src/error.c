/* SPDX-License-Identifier: MIT */
/* error.c -- status descriptions and the per-scheduler message of the last failure. */
#include <stdarg.h>

#include "numfmt.h"
#include "scheduler.h"

const char *sgdr_strerror(sgdr_status st)
{
    switch (st) {
    case SGDR_OK: return "success";
    case SGDR_ENULL: return "a required pointer argument is NULL";
    case SGDR_EBADPARAM: return "unknown parameter or enum value";
    case SGDR_EVALUE: return "parameter value out of range";
    case SGDR_ECONFIG: return "inconsistent or incomplete configuration";
    case SGDR_EORDER: return "call out of order";
    case SGDR_EEPOCH: return "epoch index does not match the scheduler's count";
    case SGDR_EMETRIC: return "invalid metric name";
    case SGDR_ENOMEM: return "out of memory";
    case SGDR_EHOOK_GET_LR: return "the get_lr hook failed";
    case SGDR_EHOOK_SET_LR: return "the set_lr hook failed";
    case SGDR_EHOOK_SNAPSHOT: return "the snapshot hook failed";
    case SGDR_EHOOK_RESTORE: return "the restore hook failed";
    case SGDR_EBUFSIZE: return "output buffer too small";
    case SGDR_ETRUNCATED: return "state blob truncated";
    case SGDR_EMAGIC: return "not a libsgdr state blob";
    case SGDR_EVERSION: return "unsupported state format version";
    case SGDR_ECHECKSUM: return "state blob checksum mismatch";
    case SGDR_ECORRUPT: return "state blob fields are inconsistent";
    case SGDR_EIO: return "file could not be written";
    case SGDR_EINDEX: return "index out of range";
    }
    return "unknown status";
}

char *sgdr_message_buffer(const sgdr_scheduler *s)
{
    /* Schedulers are only ever allocated by sgdr_create as non-const objects, so writing
     * the message through a pointer that was const in the API is well defined. */
    return ((sgdr_scheduler *)s)->message;
}

sgdr_status sgdr_fail(const sgdr_scheduler *s, sgdr_status st, const char *first, ...)
{
    va_list ap;
    va_start(ap, first);
    sgdr_vmsgf(sgdr_message_buffer(s), SGDR_MSG_CAP, first, ap);
    va_end(ap);
    return st;
}

const char *sgdr_last_error(const sgdr_scheduler *s)
{
    if (s == NULL) return "scheduler is NULL";
    return s->message;
}
