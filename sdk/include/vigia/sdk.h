// Umbrella header of the vigia C++ SDK. See logger.h for the threading model.
#pragma once

#include "vigia/audit_scope.h"
#include "vigia/config.h"
#include "vigia/context.h"
#include "vigia/crash.h"
#include "vigia/field.h"
#include "vigia/logger.h"
#include "vigia/metrics.h"
#include "vigia/request_scope.h"
#include "vigia/shipper.h"
#include "vigia/sink.h"
#include "vigia/status.h"
