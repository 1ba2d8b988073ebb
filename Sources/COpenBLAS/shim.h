// Brings OpenBLAS's CBLAS interface (Debian: libopenblas-dev) into Swift.
#include <cblas.h>
