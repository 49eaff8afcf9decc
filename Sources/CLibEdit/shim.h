// Non-variadic wrappers around libedit, because Swift cannot call C variadic functions
// (el_set, el_get, history).
#ifndef BENCH_CLIBEDIT_SHIM_H
#define BENCH_CLIBEDIT_SHIM_H

#include <stdio.h>
#include <histedit.h>

#include <string.h>
#include <unistd.h>

typedef char *(*bench_prompt_fn)(EditLine *);
typedef unsigned char (*bench_key_fn)(EditLine *, int);

/// el_init on the process's standard streams (Swift 6 cannot touch the C globals stdin/stdout/stderr).
static inline EditLine *bench_el_init(const char *prog) { return el_init(prog, stdin, stdout, stderr); }
/// Writes straight to fd 1, flushing libedit's stdout first so the order on screen is kept.
static inline void bench_write_stdout(const char *text) { fflush(stdout); (void)!write(1, text, strlen(text)); }

static inline void bench_el_set_prompt(EditLine *el, bench_prompt_fn fn) { el_set(el, EL_PROMPT, fn); }
static inline void bench_el_set_editor(EditLine *el, const char *mode) { el_set(el, EL_EDITOR, mode); }
static inline void bench_el_set_history(EditLine *el, History *h) { el_set(el, EL_HIST, history, h); }
static inline void bench_el_add_function(EditLine *el, const char *name, const char *help, bench_key_fn fn) {
    el_set(el, EL_ADDFN, name, help, fn);
}
static inline void bench_el_bind(EditLine *el, const char *key, const char *fn) { el_set(el, EL_BIND, key, fn, NULL); }
/// Changes a terminal flag in edit mode only ("-d"), e.g. "-isig" so Ctrl-C reaches a key binding.
static inline void bench_el_settty_edit(EditLine *el, const char *flag) { el_set(el, EL_SETTY, "-d", flag, NULL); }
static inline void bench_el_set_clientdata(EditLine *el, void *data) { el_set(el, EL_CLIENTDATA, data); }
static inline void bench_el_beep(EditLine *el) { el_beep(el); }

static inline History *bench_history_init(int size) {
    History *h = history_init();
    HistEvent ev;
    history(h, &ev, H_SETSIZE, size);
    history(h, &ev, H_SETUNIQUE, 1);
    return h;
}
static inline int bench_history_enter(History *h, const char *line) { HistEvent ev; return history(h, &ev, H_ENTER, line); }
static inline int bench_history_load(History *h, const char *path) { HistEvent ev; return history(h, &ev, H_LOAD, path); }
static inline int bench_history_save(History *h, const char *path) { HistEvent ev; return history(h, &ev, H_SAVE, path); }

/// Walks history from the oldest entry (H_LAST) towards the newest (H_PREV); NULL at the end.
static inline const char *bench_history_oldest(History *h) { HistEvent ev; return history(h, &ev, H_LAST) == -1 ? NULL : ev.str; }
static inline const char *bench_history_newer(History *h) { HistEvent ev; return history(h, &ev, H_PREV) == -1 ? NULL : ev.str; }

#endif
