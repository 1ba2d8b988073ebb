// C shim over wide-char ncurses: the macros and variables Swift cannot import, as nc_* functions,
// plus the signal-safe terminal restore used on crash and SIGTERM.
#ifndef CNCURSESW_H
#define CNCURSESW_H
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <wchar.h>
#include <ncursesw/ncurses.h>

/// Sets LC_ALL from the environment so ncurses emits UTF-8; returns 1 when the locale is UTF-8.
int nc_setlocale(void);
WINDOW *nc_stdscr(void);
int nc_lines(void);
int nc_cols(void);
int nc_getmaxy(WINDOW *w);
int nc_getmaxx(WINDOW *w);
attr_t nc_a_normal(void);
attr_t nc_a_bold(void);
attr_t nc_a_dim(void);
attr_t nc_a_underline(void);
attr_t nc_a_reverse(void);
attr_t nc_a_italic(void);
int nc_key_f(int n);
/// Draws one grapheme (up to 5 wide chars, NUL-terminated) with attributes and colour pair at (y, x).
int nc_put_cell(WINDOW *w, int y, int x, const wchar_t *wch, attr_t attrs, short pair);
/// Same, with an extended (int) colour pair number.
int nc_put_cell_ext(WINDOW *w, int y, int x, const wchar_t *wch, attr_t attrs, int pair);
/// Reads one key or character; returns OK, KEY_CODE_YES or ERR like wget_wch.
int nc_get_wch(WINDOW *w, wint_t *out);
/// Number of colours and colour pairs the terminal supports (after start_color).
int nc_colors(void);
int nc_color_pairs(void);
/// Remembers the terminal modes of fd 0 so a crash can restore them.
void nc_save_terminal(void);
/// Restores the terminal (modes, cursor, alternate screen, paste mode) with async-signal-safe calls only.
void nc_emergency_restore(void);
/// Crash signals (and SIGQUIT): restore the terminal, then die of the signal. SIGTERM, SIGINT, SIGHUP: set a
/// flag and write a byte to the termination fd so the UI loop quits cleanly; a second one (or one while no
/// fd is set) takes the crash path.
void nc_install_signal_handlers(void);
/// Where SIGTERM/SIGINT/SIGHUP write a wake-up byte (-1: none, they restore and die at once).
void nc_set_termination_fd(int fd);
/// The termination signal received, or 0.
int nc_termination_signal(void);
/// After a clean shutdown: dies of the termination signal received, if any (so the exit status says so).
void nc_die_of_pending_signal(void);
/// Writes bytes straight to fd 1 (escape sequences ncurses does not know, e.g. OSC 52); returns 0 on success.
int nc_write_raw(const char *bytes, int len);
/// Reports mouse wheel turns and left-button presses as KEY_MOUSE; returns 1 when the terminal supports it.
int nc_enable_mouse(void);
/// After KEY_MOUSE: 1 wheel up, 2 wheel down, 3 left button pressed at (*x, *y), 0 anything else.
int nc_read_mouse(int *x, int *y);
#endif
