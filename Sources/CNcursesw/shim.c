// Wraps ncurses macros and globals as functions Swift can call, and restores the terminal on signals.
#include "CNcursesw.h"
#include <locale.h>
#include <string.h>
#include <langinfo.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

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
int nc_put_cell_ext(WINDOW *w, int y, int x, const wchar_t *wch, attr_t attrs, int pair) {
    cchar_t c;
    if (setcchar(&c, wch, attrs, 0, &pair) != OK) return ERR;
    return mvwadd_wch(w, y, x, &c);
}
int nc_get_wch(WINDOW *w, wint_t *out) { return wget_wch(w, out); }
int nc_colors(void) { return COLORS; }
int nc_color_pairs(void) { return COLOR_PAIRS; }

static struct termios saved_modes;
static volatile sig_atomic_t have_saved_modes = 0;

void nc_save_terminal(void) {
    if (tcgetattr(0, &saved_modes) == 0) have_saved_modes = 1;
}

void nc_emergency_restore(void) {
    static const char seq[] = "\033[?2004l\033[0m\033[?25h\033[?1049l\r\n";
    ssize_t r = write(1, seq, sizeof seq - 1);
    (void)r;
    if (have_saved_modes) tcsetattr(0, TCSANOW, &saved_modes);
}

static void on_fatal_signal(int sig) {
    nc_emergency_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

void nc_install_signal_handlers(void) {
    int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(sigs[i], &sa, NULL);
    }
}

int nc_write_raw(const char *bytes, int len) {
    while (len > 0) {
        ssize_t n = write(1, bytes, (size_t)len);
        if (n <= 0) return -1;
        bytes += n; len -= (int)n;
    }
    return 0;
}

int nc_enable_wheel(void) {
    mmask_t old;
    mouseinterval(0);
    return mousemask(BUTTON4_PRESSED | BUTTON5_PRESSED, &old) != 0;
}

int nc_read_wheel(void) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return 0;
    if (ev.bstate & BUTTON4_PRESSED) return 1;
    if (ev.bstate & BUTTON5_PRESSED) return 2;
    return 0;
}
