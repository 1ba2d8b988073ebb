// Wraps ncurses macros and globals as functions Swift can call.
#include "CNcursesw.h"
#include <locale.h>
#include <string.h>
#include <langinfo.h>

int nc_setlocale(void) {
    setlocale(LC_ALL, "");
    const char *cs = nl_langinfo(CODESET);
    return cs && strcmp(cs, "UTF-8") == 0;
}
WINDOW *nc_stdscr(void) { return stdscr; }
int nc_lines(void) { return LINES; }
int nc_cols(void) { return COLS; }
int nc_getmaxy(WINDOW *w) { return getmaxy(w); }
int nc_getmaxx(WINDOW *w) { return getmaxx(w); }
attr_t nc_a_normal(void) { return A_NORMAL; }
attr_t nc_a_bold(void) { return A_BOLD; }
attr_t nc_a_dim(void) { return A_DIM; }
attr_t nc_a_underline(void) { return A_UNDERLINE; }
attr_t nc_a_reverse(void) { return A_REVERSE; }
attr_t nc_a_italic(void) { return A_ITALIC; }
int nc_key_f(int n) { return KEY_F(n); }
int nc_put_cell(WINDOW *w, int y, int x, const wchar_t *wch, attr_t attrs, short pair) {
    cchar_t c;
    if (setcchar(&c, wch, attrs, pair, NULL) != OK) return ERR;
    return mvwadd_wch(w, y, x, &c);
}
int nc_get_wch(WINDOW *w, wint_t *out) { return wget_wch(w, out); }
