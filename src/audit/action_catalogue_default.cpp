#include "audit/action_catalogue.h"

namespace vigia::audit {

std::string_view DefaultActionCatalogueToml() {
  // Seed 001's AcaoAuditoria (its audit logger sends acao/entidade/entidade_id/detalhes/
  // usuario_id, which arrive as action/entity/entity_id/details/user_id). vigia's own
  // administrative actions are added by ActionCatalogue::Parse whatever the file says.
  return R"toml(# vigia's default audit action catalogue (docs/audit.md has the format).

[[action]]
name = "questao.criada"
description = "A question was created"
required = ["entity_id", "user_id"]

[[action]]
name = "questao.editada"
description = "A question was edited (details.campos_alterados lists the fields)"
required = ["entity_id", "user_id"]

[[action]]
name = "questao.inativada"
description = "A question was deactivated"
required = ["entity_id", "user_id"]

[[action]]
name = "questao.reativada"
description = "A question was reactivated"
required = ["entity_id", "user_id"]

[[action]]
name = "lista.criada"
description = "A question list was created"
required = ["entity_id", "user_id"]

[[action]]
name = "lista.editada"
description = "A question list was edited"
required = ["entity_id", "user_id"]

[[action]]
name = "lista.deletada"
description = "A question list was deleted"
sensitive = true
required = ["entity_id", "user_id"]

[[action]]
name = "lista.exportada"
description = "A question list was exported (details: formato, qtd_questoes)"
sensitive = true
required = ["entity_id", "user_id", "details"]

[[action]]
name = "tag.criada"
description = "A tag was created"
required = ["entity_id"]

[[action]]
name = "tag.editada"
description = "A tag was edited"
required = ["entity_id"]

[[action]]
name = "tag.deletada"
description = "A tag was deleted"
required = ["entity_id"]

[[action]]
name = "sessao.iniciada"
description = "An application session started (entity_id: the machine)"
required = ["entity_id"]

[[action]]
name = "sessao.encerrada"
description = "An application session ended (details.duracao_segundos)"
required = ["entity_id"]

[[action]]
name = "backup.criado"
description = "The application's database was backed up"
required = ["entity_id"]

[[action]]
name = "backup.restaurado"
description = "The application's database was restored from a backup"
sensitive = true
required = ["entity_id", "user_id"]
)toml";
}

}  // namespace vigia::audit
