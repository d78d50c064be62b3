// CBertSimSystemC: a small C API over SystemC 2.3 (IEEE 1666) for bertsim's Swift models.
//
// Why this shim exists: SystemC is a C++ class library and Swift calls C, not arbitrary C++.
// This is the only code in bertsim that includes <systemc>. It turns the few SystemC features
// bertsim needs (timed and delta event notification, method processes with static
// sensitivity, primitive channels committed in the update phase, VCD tracing) into prefixed C
// functions; every entry point catches every C++ exception, so none unwinds through Swift, and
// reports it as an error code plus `bsc_last_error()`. SystemC allows one elaboration per
// process: call `bsc_initialize` once, create everything, then `bsc_run`.
//
// Time: one accelerator cycle is one SystemC time unit (resolution 1 ns), an integer
// `sc_time::from_value`. Processes are SC_METHODs (via sc_spawn) with dont_initialize, woken only
// by their events; callbacks receive an opaque context (a Swift `Unmanaged` object).
#ifndef CBERTSIM_SYSTEMC_H
#define CBERTSIM_SYSTEMC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes returned by the entry points.
typedef enum {
    BSC_OK = 0,
    /// SystemC raised an error (see bsc_last_error).
    BSC_ERROR = 1,
} bsc_status;

/// How a call to bsc_run ended.
typedef enum {
    /// No activity is pending.
    BSC_RUN_IDLE = 0,
    /// Activity remains (at or after the limit, or after bsc_pause).
    BSC_RUN_PAUSED = 1,
} bsc_run_outcome;

typedef struct bsc_event bsc_event;
typedef struct bsc_channel bsc_channel;
typedef void (*bsc_callback)(void *_Nullable context);

/// Sets the time resolution, silences SystemC's stdout (banner and reports) and, when
/// `vcd_path` is not NULL, opens a VCD trace file (`vcd_path` without its ".vcd" suffix).
/// Must be the first call.
bsc_status bsc_initialize(const char *_Nullable vcd_path);

/// Creates an event (an `sc_event`). NULL on error.
bsc_event *_Nullable bsc_event_create(void);

/// Creates a method process named `name` that calls `callback(context)` whenever one of
/// `events` fires (static sensitivity; at most once per delta cycle).
bsc_status bsc_process_create(const char *_Nonnull name, bsc_callback _Nonnull callback, void *_Nullable context,
                              bsc_event *_Nonnull const *_Nonnull events, size_t event_count);

/// Notifies `event` after `delay` cycles (0: the next delta cycle), with sc_event's rules.
/// Returns BSC_ERROR if SystemC refused (then bsc_last_error says why).
bsc_status bsc_event_notify(bsc_event *_Nonnull event, uint64_t delay);

/// Creates a primitive channel whose update phase calls `update(context)`. NULL on error.
bsc_channel *_Nullable bsc_channel_create(const char *_Nonnull name, bsc_callback _Nonnull update,
                                          void *_Nullable context);

/// Requests the channel's update in this delta cycle's update phase.
bsc_status bsc_channel_request_update(bsc_channel *_Nonnull channel);

/// Adds an integer signal of `width` bits (1...64) to the VCD file and returns the storage
/// SystemC samples at the end of each time step. NULL if tracing is off or on error.
uint64_t *_Nullable bsc_trace_add(const char *_Nonnull name, int width);

/// Runs the simulation (sc_start) until no activity remains, bsc_pause is called, or only
/// activity at or after `limit` cycles remains (`limit` = UINT64_MAX: no limit).
bsc_status bsc_run(uint64_t limit, bsc_run_outcome *_Nonnull outcome);

/// From a process: return from bsc_run at the end of the current delta cycle (sc_pause).
bsc_status bsc_pause(void);

/// Ends tracing: samples the last time step, closes the VCD file. The simulation is over.
bsc_status bsc_finish(void);

/// The current time in cycles, and the delta cycles run so far.
uint64_t bsc_now(void);
uint64_t bsc_delta_count(void);

/// The message of the last error, or "" (valid until the next failing call).
const char *_Nonnull bsc_last_error(void);

/// The last warning SystemC reported (warnings never reach stdout), or "".
const char *_Nonnull bsc_last_warning(void);

#ifdef __cplusplus
}
#endif

#endif
