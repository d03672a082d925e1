// ActionCatalogue: the shipped default parses and holds seed 001's actions and vigia's own;
// a file's errors name the line and the action; Annotate flags uncatalogued actions, marks
// catalogued sensitive ones and names missing required fields, leaving other events alone.
#include "audit/action_catalogue.h"

#include <gtest/gtest.h>

#include "audit/audit_event.h"
#include "event/event_fields.h"

namespace vigia::audit {
namespace {

TEST(ActionCatalogueTest, DefaultHoldsSeedAndAdminActions) {
  ActionCatalogue c = ActionCatalogue::Default();
  for (const char* a : {"questao.criada", "lista.exportada", "backup.criado", "backup.restaurado",
                        "sessao.iniciada", "rules.reload", "silence.create", "key.create",
                        "backup.restored", "error.resolved"}) {
    EXPECT_NE(c.Find(a), nullptr) << a;
  }
  ASSERT_NE(c.Find("lista.exportada"), nullptr);
  EXPECT_TRUE(c.Find("lista.exportada")->sensitive);
  EXPECT_EQ(c.Find("lista.exportada")->required,
            (std::vector<std::string>{"entity_id", "user_id", "details"}));
  EXPECT_TRUE(c.Find("key.create")->builtin);
  EXPECT_EQ(c.Find("questao.apagada"), nullptr);
  for (size_t i = 1; i < c.actions().size(); ++i) {
    EXPECT_LT(c.actions()[i - 1].name, c.actions()[i].name);
  }
}

TEST(ActionCatalogueTest, FileKeepsBuiltinsAndReportsErrorsWithTheirLine) {
  Result<ActionCatalogue> c = ActionCatalogue::Parse(R"(
[[action]]
name = "invoice.voided"
description = "An invoice was voided"
sensitive = true
required = ["entity_id", "details"]

[[action]]
name = "key.create"
description = "re-described"
)",
                                                     "cat.toml");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_NE(c->Find("invoice.voided"), nullptr);
  EXPECT_EQ(c->Find("questao.criada"), nullptr);  // the default's entries are not implied
  ASSERT_NE(c->Find("key.create"), nullptr);
  EXPECT_EQ(c->Find("key.create")->description, "re-described");
  EXPECT_TRUE(c->Find("key.create")->builtin);

  struct Bad {
    const char* text;
    const char* want;
  };
  for (const Bad& b : std::vector<Bad>{
           {"[[action]]\nname = \"Invoice Voided\"\n",
            "cat.toml:1: action \"Invoice Voided\": name"},
           {"[[action]]\nname = \"invoice\"\n", "entity.verb"},
           {"[[action]]\nname = \"a.b\"\n[[action]]\nname = \"a.b\"\n",
            "cat.toml:3: action \"a.b\": defined twice"},
           {"[[action]]\nname = \"a.b\"\nsensitive = \"yes\"\n", "mistyped key \"sensitive\""},
           {"[[action]]\nname = \"a.b\"\nrequired = [1]\n", "required"},
           {"[[actions]]\nname = \"a.b\"\n", "unknown table \"actions\""},
           {"[[action]\n", "cat.toml:1:"},
       }) {
    Result<ActionCatalogue> r = ActionCatalogue::Parse(b.text, "cat.toml");
    ASSERT_FALSE(r.ok()) << b.text;
    EXPECT_NE(r.status().message().find(b.want), std::string::npos)
        << b.text << " -> " << r.status().message();
  }
}

void AddEvent(EventBatch* b, std::vector<std::pair<std::string_view, Value>> fields) {
  b->BeginEvent(1);
  for (auto& [k, v] : fields) b->AddField(k, v);
}

TEST(ActionCatalogueTest, AnnotateFlagsUnknownSensitiveAndMissing) {
  ActionCatalogue c = ActionCatalogue::Default();
  EventBatch b;
  auto s = [](const char* v) { return Value::String(v); };
  AddEvent(&b, {{fields::kKind, s("audit")},
                {fields::kAction, s("lista.exportada")},
                {fields::kEntityId, s("L-1")},
                {fields::kUserId, s("u-9")},
                {"details.formato", s("pdf")}});
  AddEvent(&b, {{fields::kKind, s("audit")}, {fields::kAction, s("lista.exportada")}});
  AddEvent(&b, {{fields::kKind, s("audit")}, {fields::kAction, s("questao.apagada")}});
  AddEvent(&b, {{fields::kKind, s("log")}, {fields::kAction, s("questao.apagada")}});
  AddEvent(&b, {{fields::kKind, s("audit")},
                {fields::kAction, s("lista.exportada")},
                {fields::kSensitive, Value::Bool(false)},
                {fields::kEntityId, s("L-2")},
                {fields::kUserId, s("u-9")},
                {"details", s("{}")}});
  std::vector<AnnotatedAction> seen;
  c.Annotate(&b, [&](const AnnotatedAction& a) { seen.push_back(a); });
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_TRUE(seen[0].catalogued);
  EXPECT_FALSE(seen[0].missing_fields);
  EXPECT_TRUE(seen[1].missing_fields);
  EXPECT_FALSE(seen[2].catalogued);
  EXPECT_EQ(seen[2].action, "questao.apagada");

  const auto& ev = b.events();
  ASSERT_EQ(ev.size(), 5u);
  auto find = [&](size_t i, std::string_view name) { return b.Find(ev[i], name); };
  // A complete catalogued sensitive event: marked sensitive, nothing else.
  ASSERT_NE(find(0, fields::kSensitive), nullptr);
  EXPECT_TRUE(find(0, fields::kSensitive)->b);
  EXPECT_EQ(find(0, kCataloguedField), nullptr);
  EXPECT_EQ(find(0, kMissingFieldsField), nullptr);
  ASSERT_NE(find(1, kMissingFieldsField), nullptr);
  EXPECT_EQ(find(1, kMissingFieldsField)->s, "entity_id,user_id,details");
  ASSERT_NE(find(2, kCataloguedField), nullptr);
  EXPECT_FALSE(find(2, kCataloguedField)->b);
  EXPECT_EQ(find(3, kCataloguedField), nullptr);  // not an audit event
  EXPECT_EQ(b.fields(ev[3]).size(), 2u);
  // The client's own sensitive=false wins; "details" as a plain field counts.
  EXPECT_FALSE(find(4, fields::kSensitive)->b);
  EXPECT_EQ(find(4, kMissingFieldsField), nullptr);
  EXPECT_EQ(b.fields(ev[4]).size(), 6u);
}

}  // namespace
}  // namespace vigia::audit
