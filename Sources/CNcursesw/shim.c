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

static volatile sig_atomic_t term_signal = 0;
static volatile int term_wake_fd = -1;

void nc_set_termination_fd(int fd) { term_wake_fd = fd; }
int nc_termination_signal(void) { return term_signal; }

/// SIGTERM/SIGINT/SIGHUP: ask the UI loop to quit cleanly (it saves and restores the terminal); a second
/// signal, or one before the loop runs, takes the emergency path.
static void on_term_signal(int sig) {
    int fd = term_wake_fd;
    if (term_signal != 0 || fd < 0) { on_fatal_signal(sig); return; }
    term_signal = sig;
    char b = 1;
    ssize_t r = write(fd, &b, 1);
    (void)r;
}

void nc_install_signal_handlers(void) {
    int fatal[] = {SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP};
    int term[] = {SIGTERM, SIGINT, SIGHUP};
    struct sigaction sa;
    for (unsigned i = 0; i < sizeof fatal / sizeof fatal[0]; i++) {
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(fatal[i], &sa, NULL);
    }
    for (unsigned i = 0; i < sizeof term / sizeof term[0]; i++) {
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_term_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(term[i], &sa, NULL);
    }
}

void nc_die_of_pending_signal(void) {
    int sig = term_signal;
    if (sig == 0) return;
    signal(sig, SIG_DFL);
    raise(sig);
}

int nc_write_raw(const char *bytes, int len) {
    while (len > 0) {
        ssize_t n = write(1, bytes, (size_t)len);
        if (n <= 0) return -1;
        bytes += n; len -= (int)n;
    }
    return 0;
}

int nc_enable_mouse(void) {
    mmask_t old;
    mouseinterval(0);
    return mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, &old) != 0;
}

int nc_read_mouse(int *x, int *y) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return 0;
    *x = ev.x;
    *y = ev.y;
    if (ev.bstate & BUTTON4_PRESSED) return 1;
    if (ev.bstate & BUTTON5_PRESSED) return 2;
    if (ev.bstate & BUTTON1_PRESSED) return 3;
    return 0;
}
