// SystemdNotify: the sd_notify protocol, without libsystemd — a datagram with "KEY=value"
// lines sent to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" for the
// abstract namespace). Under a Type=notify unit the server sends READY=1 once it serves,
// RELOADING=1 / READY=1 around a SIGHUP reload, STOPPING=1 when it shuts down, and WATCHDOG=1
// at half the unit's WatchdogSec ($WATCHDOG_USEC, for this process when $WATCHDOG_PID is
// set), so systemd restarts a server that hangs. Without $NOTIFY_SOCKET every call is a no-op.
//
// Thread-safety: thread-safe (each call opens its own socket).
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace vigia::systemd {

// Sends `state` ("READY=1\nSTATUS=serving"). OK and nothing sent without $NOTIFY_SOCKET.
Status Notify(std::string_view state);

// Half of $WATCHDOG_USEC in microseconds (how often to send WATCHDOG=1); 0 when the
// watchdog is off or meant for another process.
int64_t WatchdogPingIntervalUsec();

}  // namespace vigia::systemd
