// Linux timer descriptors, which Swift's Glibc module does not expose. The open loop's pacer uses one
// (see BenchClients/Engine/PaceTimer.swift); on other systems the header is empty and the pacer uses
// the event loop's own timers.
#ifndef BENCH_CTIMERFD_SHIM_H
#define BENCH_CTIMERFD_SHIM_H

#ifdef __linux__
#include <sys/timerfd.h>
#include <time.h>
#include <errno.h>

/// A monotonic, non-blocking, close-on-exec timer descriptor, or -1.
static inline int bench_timerfd_create(void) {
    return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

/// Arms `fd` to expire once at `deadline` nanoseconds of CLOCK_MONOTONIC (NIODeadline's clock); 0 or -1.
static inline int bench_timerfd_arm(int fd, unsigned long long deadline) {
    struct itimerspec spec = {0};
    spec.it_value.tv_sec = (time_t)(deadline / 1000000000ULL);
    spec.it_value.tv_nsec = (long)(deadline % 1000000000ULL);
    if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;  // 0 would disarm
    return timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, NULL);
}
#endif

#endif
