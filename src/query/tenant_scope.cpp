#include "query/tenant_scope.h"

namespace vigia {
namespace {

std::unique_ptr<MathExpr> CloneMath(const MathExpr& e) {
  auto out = std::make_unique<MathExpr>();
  out->kind = e.kind;
  out->number = e.number;
  out->field = e.field;
  for (const auto& a : e.args) out->args.push_back(a ? CloneMath(*a) : nullptr);
  return out;
}

Pipe ClonePipe(const Pipe& p) {
  Pipe out;
  out.kind = p.kind;
  out.pos = p.pos;
  for (const Aggregate& a : p.aggregates) {
    Aggregate c;
    c.func = a.func;
    c.field = a.field;
    c.q = a.q;
    c.cond = a.cond ? CloneFilter(*a.cond) : nullptr;
    c.name = a.name;
    out.aggregates.push_back(std::move(c));
  }
  out.by = p.by;
  out.where = p.where ? CloneFilter(*p.where) : nullptr;
  out.sort = p.sort;
  out.limit = p.limit;
  out.fields = p.fields;
  for (const MathAssign& m : p.math) {
    out.math.push_back(MathAssign{m.expr ? CloneMath(*m.expr) : nullptr, m.name});
  }
  return out;
}

}  // namespace

std::unique_ptr<Filter> CloneFilter(const Filter& f) {
  auto out = std::make_unique<Filter>();
  out->kind = f.kind;
  out->pos = f.pos;
  out->field = f.field;
  out->value = f.value;
  out->values = f.values;
  out->cmp = f.cmp;
  out->relative_ns = f.relative_ns;
  out->from_ns = f.from_ns;
  out->to_ns = f.to_ns;
  for (const auto& c : f.children) out->children.push_back(c ? CloneFilter(*c) : nullptr);
  return out;
}

Query CloneQuery(const Query& q) {
  Query out;
  out.filter = q.filter ? CloneFilter(*q.filter) : nullptr;
  for (const Pipe& p : q.pipes) out.pipes.push_back(ClonePipe(p));
  out.text = q.text;
  return out;
}

std::unique_ptr<Filter> TenantFilter(const std::string& tenant) {
  auto f = std::make_unique<Filter>();
  f->kind = FilterKind::kExact;
  f->field = "tenant";
  f->value = tenant;
  return f;
}

Query ScopeQuery(const Query& q, const TenantScope& scope) {
  Query out = CloneQuery(q);
  if (scope.all()) return out;
  auto both = std::make_unique<Filter>();
  both->kind = FilterKind::kAnd;
  both->children.push_back(TenantFilter(scope.tenant()));
  if (out.filter) both->children.push_back(std::move(out.filter));
  out.filter = std::move(both);
  // A backend that forwards the text (the CLI's server backend) must not send the unscoped
  // query.
  out.text.clear();
  return out;
}

}  // namespace vigia
