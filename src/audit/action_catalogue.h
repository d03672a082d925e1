// ActionCatalogue: the audit actions a deployment expects (docs/audit.md, "Action
// catalogue"), read from a TOML file of [[action]] tables — `[audit] catalogue_file` in
// vigia.toml, else the shipped default (DefaultActionCatalogueToml: seed 001's actions and
// vigia's own administrative ones):
//
//   [[action]]
//   name = "lista.exportada"            # entity.verb: [a-z0-9_-] parts joined by dots
//   description = "A question list was exported"
//   sensitive = false                    # optional (default false)
//   required = ["entity_id", "user_id"]  # optional: fields every such event must carry
//
// vigia's own administrative actions (rules.reload, silence.create, key.create,
// backup.restored, ...) are always in the catalogue, whatever the file says, since the
// server itself emits them.
//
// Annotate() applies it to a batch before the batch is stored, so the stored event and the
// chained one agree: an action not in the catalogue gets `catalogued=false`; a catalogued
// sensitive action gets `sensitive=true` unless the client set `sensitive`; a catalogued
// action missing required fields gets `missing_fields="a,b"`. The event is always kept.
//
// Thread-safety: immutable after Parse; Annotate and Find are safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "event/event.h"

namespace vigia::audit {

struct CatalogueAction {
  std::string name;  // entity.verb
  std::string description;
  bool sensitive = false;
  std::vector<std::string> required;  // field names; "details" also matches details.*
  bool builtin = false;               // one of vigia's own administrative actions
};

// What Annotate saw of one audit event (for counters).
struct AnnotatedAction {
  std::string_view action;  // empty when the event has no action field
  bool catalogued = false;
  bool missing_fields = false;
};

class ActionCatalogue {
 public:
  // `source` names the file in error messages ("catalogue.toml:12: action \"x\": ...").
  static Result<ActionCatalogue> Parse(std::string_view toml_text, std::string_view source);
  // The shipped default.
  static ActionCatalogue Default();

  // nullptr when `action` is not catalogued.
  const CatalogueAction* Find(std::string_view action) const;
  // In name order.
  const std::vector<CatalogueAction>& actions() const { return actions_; }

  // Flags the batch's kind=audit events (see above); `seen` (may be empty) is called for each.
  void Annotate(EventBatch* batch, const std::function<void(const AnnotatedAction&)>& seen) const;

 private:
  std::vector<CatalogueAction> actions_;
  std::map<std::string, size_t, std::less<>> index_;
};

// The answer of GET /v1/audit/actions: the catalogue's actions in name order, each with its
// count from `counts` (records per action), then the uncatalogued actions counted:
//   {"tenant":..,"actions":[{"action":..,"catalogued":true,"count":N,"description":..,
//    "sensitive":..,"builtin":..,"required":[..]},..,{"action":..,"catalogued":false,
//    "count":N}],"records":N,"uncatalogued":N}
std::string ActionCountsJson(const ActionCatalogue& catalogue,
                             const std::map<std::string, uint64_t>& counts,
                             std::string_view tenant);

// The shipped catalogue's TOML text.
std::string_view DefaultActionCatalogueToml();
// vigia's own administrative actions (always catalogued).
const std::vector<CatalogueAction>& BuiltinAdminActions();

}  // namespace vigia::audit
