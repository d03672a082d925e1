#include "audit/action_catalogue.h"

#include <toml++/toml.h>
#include <algorithm>

#include "audit/audit_event.h"
#include "common/json_writer.h"

namespace vigia::audit {
namespace {

// entity.verb: two or more parts of [a-z0-9_-], joined by dots.
bool ValidActionName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  bool dot = false;
  char prev = '.';
  for (char c : name) {
    if (c == '.') {
      if (prev == '.') return false;
      dot = true;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) {
      return false;
    }
    prev = c;
  }
  return dot && prev != '.';
}

bool ValidFieldName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-' || c == '.')) {
      return false;
    }
  }
  return true;
}

Status Error(std::string_view source, const toml::node& n, std::string_view what,
             const std::string& name) {
  std::string msg = std::string(source) + ":" + std::to_string(n.source().begin.line) + ": action";
  if (!name.empty()) msg += " \"" + name + "\"";
  return Status::InvalidArgument(msg + ": " + std::string(what));
}

bool HasField(const EventBatch& b, const EventBatch::EventRef& e, std::string_view name) {
  for (const Field& f : b.fields(e)) {
    if (f.name == name) return f.value.type != ValueType::kNull;
    // A nested object arrives flattened: "details" is present when any details.* is.
    if (f.name.size() > name.size() && f.name.starts_with(name) && f.name[name.size()] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace

const std::vector<CatalogueAction>& BuiltinAdminActions() {
  // What the server's own modules emit: module_alerts, module_auth, module_backup,
  // route_erase and the error groups' status changes (errors::AuditActionOf).
  static const std::vector<CatalogueAction> actions = [] {
    std::vector<CatalogueAction> a = {
        {"rules.reload",
         "vigia: alert rules reloaded (SIGHUP or POST /v1/alerts/reload)",
         false,
         {"actor", "entity_id"},
         true},
        {"silence.create",
         "vigia: an alert silence was created",
         false,
         {"actor", "entity_id"},
         true},
        {"silence.expire",
         "vigia: an alert silence was expired",
         false,
         {"actor", "entity_id"},
         true},
        {"key.create", "vigia: an API key was created", true, {"actor", "entity_id"}, true},
        {"key.revoke", "vigia: an API key was revoked", true, {"actor", "entity_id"}, true},
        {"backup.created", "vigia: a backup was taken", false, {"actor"}, true},
        {"backup.verified", "vigia: a backup was verified", false, {"actor", "entity_id"}, true},
        {"backup.restored",
         "vigia: the data directory was restored from a backup",
         true,
         {"actor", "entity_id"},
         true},
        {"error.resolved", "vigia: an error group was marked resolved", false, {"entity_id"}, true},
        {"error.ignored", "vigia: an error group was ignored", false, {"entity_id"}, true},
        {"error.unresolved", "vigia: an error group was reopened", false, {"entity_id"}, true},
        {"error.regressed", "vigia: a resolved error group recurred", false, {"entity_id"}, true},
        {"error.unignored",
         "vigia: an error group's ignore period ended",
         false,
         {"entity_id"},
         true},
        {"data.erased",
         "vigia: one person's events were erased (right to erasure)",
         true,
         {"actor"},
         true},
    };
    return a;
  }();
  return actions;
}

Result<ActionCatalogue> ActionCatalogue::Parse(std::string_view toml_text,
                                               std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(std::string(source) + ":" +
                                   std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  ActionCatalogue cat;
  for (const CatalogueAction& a : BuiltinAdminActions()) cat.actions_.push_back(a);
  for (const auto& [key, node] : root) {
    if (key.str() != "action") {
      return Status::InvalidArgument(
          std::string(source) + ":" + std::to_string(node.source().begin.line) +
          ": unknown table \"" + std::string(key.str()) + "\" (expected [[action]])");
    }
    const toml::array* arr = node.as_array();
    if (arr == nullptr) {
      return Status::InvalidArgument(std::string(source) +
                                     ": action must be an array of tables ([[action]])");
    }
    for (const toml::node& item : *arr) {
      const toml::table* t = item.as_table();
      if (t == nullptr) {
        return Status::InvalidArgument(std::string(source) + ": [[action]] entries must be tables");
      }
      CatalogueAction a;
      for (const auto& [k, v] : *t) {
        std::string_view name = k.str();
        if (name == "name" && v.as_string()) {
          a.name = v.as_string()->get();
        } else if (name == "description" && v.as_string()) {
          a.description = v.as_string()->get();
        } else if (name == "sensitive" && v.as_boolean()) {
          a.sensitive = v.as_boolean()->get();
        } else if (name == "required" && v.as_array()) {
          for (const toml::node& f : *v.as_array()) {
            if (!f.as_string() || !ValidFieldName(f.as_string()->get())) {
              return Error(source, *t, "required: expected an array of field names", a.name);
            }
            a.required.push_back(f.as_string()->get());
          }
        } else {
          return Error(source, *t,
                       "unknown or mistyped key \"" + std::string(name) +
                           "\" (name, description: strings; sensitive: bool; required: array)",
                       a.name);
        }
      }
      if (!ValidActionName(a.name)) {
        return Error(source, *t, "name: expected entity.verb ([a-z0-9_-] parts joined by dots)",
                     a.name);
      }
      auto same = [&](const CatalogueAction& o) { return o.name == a.name; };
      auto it = std::find_if(cat.actions_.begin(), cat.actions_.end(), same);
      if (it != cat.actions_.end()) {
        if (!it->builtin) return Error(source, *t, "defined twice", a.name);
        // A file may re-describe one of vigia's own actions; it stays built in.
        a.builtin = true;
        *it = std::move(a);
      } else {
        cat.actions_.push_back(std::move(a));
      }
    }
  }
  std::sort(cat.actions_.begin(), cat.actions_.end(),
            [](const CatalogueAction& x, const CatalogueAction& y) { return x.name < y.name; });
  for (size_t i = 0; i < cat.actions_.size(); ++i) cat.index_.emplace(cat.actions_[i].name, i);
  return cat;
}

ActionCatalogue ActionCatalogue::Default() {
  Result<ActionCatalogue> c = Parse(DefaultActionCatalogueToml(), "default catalogue");
  return std::move(c).value();  // the shipped text is tested (action_catalogue_test)
}

const CatalogueAction* ActionCatalogue::Find(std::string_view action) const {
  auto it = index_.find(action);
  return it == index_.end() ? nullptr : &actions_[it->second];
}

void ActionCatalogue::Annotate(EventBatch* batch,
                               const std::function<void(const AnnotatedAction&)>& seen) const {
  std::vector<std::pair<uint32_t, Field>> uncatalogued, sensitive, missing;
  const auto& events = batch->events();
  for (uint32_t i = 0; i < events.size(); ++i) {
    const EventBatch::EventRef& e = events[i];
    if (!IsAuditEvent(*batch, e)) continue;
    AnnotatedAction seen_action;
    seen_action.action = StringField(*batch, e, fields::kAction);
    const CatalogueAction* a = Find(seen_action.action);
    seen_action.catalogued = a != nullptr;
    if (a == nullptr) {
      uncatalogued.push_back({i, {kCataloguedField, Value::Bool(false)}});
    } else {
      if (a->sensitive && batch->Find(e, fields::kSensitive) == nullptr) {
        sensitive.push_back({i, {fields::kSensitive, Value::Bool(true)}});
      }
      std::string absent;
      for (const std::string& f : a->required) {
        if (HasField(*batch, e, f)) continue;
        if (!absent.empty()) absent += ',';
        absent += f;
      }
      if (!absent.empty()) {
        seen_action.missing_fields = true;
        missing.push_back({i, {kMissingFieldsField, Value::String(batch->arena().Copy(absent))}});
      }
    }
    if (seen) seen(seen_action);
  }
  // `seen` got views into the batch's arena: the arrays are rebuilt only now.
  batch->AppendFields(uncatalogued);
  batch->AppendFields(sensitive);
  batch->AppendFields(missing);
}

// The catalogue with each action's count, then the uncatalogued actions seen.
std::string ActionCountsJson(const ActionCatalogue& catalogue,
                             const std::map<std::string, uint64_t>& counts,
                             std::string_view tenant) {
  std::string body;
  JsonWriter w(&body);
  w.BeginObject().KV("tenant", tenant).Key("actions").BeginArray();
  uint64_t total = 0, uncatalogued = 0;
  for (const CatalogueAction& a : catalogue.actions()) {
    auto it = counts.find(a.name);
    uint64_t n = it == counts.end() ? 0 : it->second;
    total += n;
    w.BeginObject().KV("action", a.name).KV("catalogued", true).KV("count", n);
    w.KV("description", a.description).KV("sensitive", a.sensitive).KV("builtin", a.builtin);
    w.Key("required").BeginArray();
    for (const std::string& f : a.required) w.String(f);
    w.EndArray().EndObject();
  }
  for (const auto& [action, n] : counts) {
    if (catalogue.Find(action) != nullptr) continue;
    total += n;
    uncatalogued += n;
    w.BeginObject().KV("action", action).KV("catalogued", false).KV("count", n).EndObject();
  }
  w.EndArray().KV("records", total).KV("uncatalogued", uncatalogued).EndObject();
  return body;
}

}  // namespace vigia::audit
