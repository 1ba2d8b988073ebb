// Counts heap allocations of every thread of the test process while counting is on (glibc only).
#ifndef CALLOCCOUNTER_H
#define CALLOCCOUNTER_H
/// 1 when this platform's allocator could be interposed (then the counts are real).
int alloc_counter_available(void);
/// Resets the count and starts counting.
void alloc_counter_start(void);
/// Stops counting and returns the allocations made since alloc_counter_start.
long alloc_counter_stop(void);
#endif
