// Lines in the formats the seed applications already write (seeds 000-004), going in
// unchanged and coming out with canonical names and values.
#include <gtest/gtest.h>

#include "common/time_format.h"
#include "ingest/normalize/normalizer_fixture.h"

namespace vigia {
namespace {

using SeedLineTest = NormalizerFixture;

// Seed 004 (pharmacy backend), section 3: the recommended log line.
TEST_F(SeedLineTest, Seed004PharmacyLogLine) {
  ASSERT_TRUE(Norm(R"({"ts":"2026-02-15T12:34:56.789Z","level":"info","service":"pharma-backend",)"
                   R"("env":"prod","requestId":"a1b2c3","storeId":"...","userId":"...",)"
                   R"("route":"POST /sales/{id}/pay","msg":"payment_confirmed",)"
                   R"("meta":{"saleId":"...","amount":"123.45"}})")
                  .ok());
  EXPECT_EQ(Ev().ts_ns, *ParseRfc3339("2026-02-15T12:34:56.789Z"));
  EXPECT_EQ(Json(),
            R"({"ts":"2026-02-15T12:34:56.789000000Z","kind":"log","level":"info",)"
            R"("service":"pharma-backend","env":"prod","msg":"payment_confirmed",)"
            R"("request_id":"a1b2c3","user_id":"...","method":"POST","route":"/sales/{id}/pay",)"
            R"("storeId":"...","meta.saleId":"...","meta.amount":"123.45"})");
}

// Seed 000 (FastAPI), "Estrutura de Log Padronizada".
TEST_F(SeedLineTest, Seed000StandardLogStructure) {
  ASSERT_TRUE(Norm(R"({"timestamp":"2025-10-07T14:30:00.123Z","level":"INFO","logger":"api.auth",)"
                   R"("message":"Login successful",)"
                   R"("request_id":"550e8400-e29b-41d4-a716-446655440000","user_id":123,)"
                   R"("endpoint":"POST /api/auth/login","module":"auth","function":"login",)"
                   R"("line":45,"extra_fields":{"email":"user@example.com","duration_ms":234.56,)"
                   R"("ip":"192.168.1.1"}})")
                  .ok());
  EXPECT_EQ(Ev().ts_ns, *ParseRfc3339("2025-10-07T14:30:00.123Z"));
  EXPECT_EQ(Get("level"), S("info"));
  EXPECT_EQ(Get("msg"), S("Login successful"));
  EXPECT_EQ(Get("request_id"), S("550e8400-e29b-41d4-a716-446655440000"));
  EXPECT_EQ(Get("user_id"), S("123"));
  EXPECT_EQ(Get("route"), S("/api/auth/login"));
  EXPECT_EQ(Get("method"), S("POST"));
  EXPECT_EQ(Get("duration_ms"), F(234.56));
  EXPECT_EQ(Get("perf_class"), S("slow"));
  EXPECT_EQ(Get("ip"), S("192.168.1.1"));
  EXPECT_EQ(Get("email"), S("user@example.com"));
  EXPECT_EQ(Get("logger"), S("api.auth"));
  EXPECT_EQ(Get("line"), I(45));
  EXPECT_FALSE(Has("message"));
  EXPECT_FALSE(Has("timestamp"));
}

// Seed 000 StructuredFormatter for logger.exception(...) in the request middleware, with
// Python's isoformat() timestamp, null context vars and the exception block.
TEST_F(SeedLineTest, Seed000ExceptionFromMiddleware) {
  ASSERT_TRUE(
      Norm(
          R"({"timestamp": "2025-10-07T14:30:00.123456+00:00", "level": "ERROR", )"
          R"("logger": "api.request", "message": "Request failed", "request_id": "r-9", )"
          R"("user_id": null, "endpoint": "GET /api/items", "module": "logging", )"
          R"("function": "dispatch", "line": 233, "exception": {"type": "ZeroDivisionError", )"
          R"("message": "division by zero", "traceback": ["Traceback (most recent call last):\n", )"
          R"("  File \"/app/main.py\", line 10, in dispatch\n", "ZeroDivisionError: division by zero\n"]}, )"
          R"("duration_ms": 12.3, "error_type": "ZeroDivisionError"})")
          .ok());
  EXPECT_EQ(Ev().ts_ns, *ParseRfc3339("2025-10-07T14:30:00.123456Z"));
  EXPECT_EQ(Get("level"), S("error"));
  EXPECT_FALSE(Has("user_id"));
  EXPECT_EQ(Get("method"), S("GET"));
  EXPECT_EQ(Get("error.type"), S("ZeroDivisionError"));
  EXPECT_EQ(Get("error.message"), S("division by zero"));
  EXPECT_EQ(Get("error.stack"), S("Traceback (most recent call last):\n  File \"/app/main.py\", "
                                  "line 10, in dispatch\nZeroDivisionError: division by zero"));
  EXPECT_EQ(Get("perf_class"), S("excellent"));
  EXPECT_FALSE(Has("error_type"));
}

// Seed 000 audit decorator: status is the audit outcome, not an HTTP status.
TEST_F(SeedLineTest, Seed000AuditFailure) {
  ASSERT_TRUE(Norm(R"({"timestamp":"2025-10-07T14:30:00+00:00","level":"ERROR","logger":"audit",)"
                   R"("message":"Audit: password_reset failed","operation":"password_reset",)"
                   R"("sensitive":true,"user_id":7,"request_id":"r1","status":"failed",)"
                   R"("error":"token expired","duration_ms":1500.5})")
                  .ok());
  EXPECT_EQ(Get("outcome"), S("failure"));
  EXPECT_EQ(Get("status_raw"), S("failed"));
  EXPECT_EQ(Get("sensitive"), B(true));
  EXPECT_EQ(Get("error.message"), S("token expired"));
  EXPECT_EQ(Get("perf_class"), S("very_slow"));
  EXPECT_EQ(Get("operation"), S("password_reset"));
}

// Seed 000 Flutter client logger (json.encode(logData)).
TEST_F(SeedLineTest, Seed000FlutterClientLog) {
  ASSERT_TRUE(
      Norm(R"({"timestamp":"2025-10-07T11:30:00.123456","level":"CRITICAL","logger":"ApiClient",)"
           R"("message":"Request failed","platform":"flutter","extra":{"endpoint":"/api/items",)"
           R"("statusCode":503},"error":{"type":"SocketException","message":"Connection refused"},)"
           R"j("stackTrace":["#0 ApiClient.get (package:app/api.dart:42)","#1 main"]})j")
          .ok());
  EXPECT_EQ(Ev().ts_ns, *ParseRfc3339("2025-10-07T11:30:00.123456Z"));
  EXPECT_EQ(Get("level"), S("fatal"));
  EXPECT_EQ(Get("route"), S("/api/items"));
  EXPECT_EQ(Get("status"), I(503));
  EXPECT_EQ(Get("error.type"), S("SocketException"));
  EXPECT_EQ(Get("error.stack"), S("#0 ApiClient.get (package:app/api.dart:42)\n#1 main"));
  EXPECT_EQ(Get("platform"), S("flutter"));
}

// Seed 001 (desktop app): MongoRemoteHandler._format_record with str(datetime) timestamps.
TEST_F(SeedLineTest, Seed001RemoteHandlerRecord) {
  ASSERT_TRUE(Norm(R"({"timestamp":"2026-01-15 10:30:00.123456+00:00","nivel":"WARNING",)"
                   R"("maquina_id":"a1b2c3d4e5f6","app_version":"1.0.0","logger_name":"app.db",)"
                   R"("erro":{"tipo":null,"mensagem":"Conexão lenta","stacktrace":null,)"
                   R"("arquivo":"C:\\app\\db.py","linha":88,"funcao":"conectar"},)"
                   R"("ambiente":{"os":"Windows","os_version":"10","python":"3.11.4"}})")
                  .ok());
  EXPECT_EQ(Ev().ts_ns, *ParseRfc3339("2026-01-15T10:30:00.123456Z"));
  EXPECT_EQ(Get("level"), S("warn"));
  EXPECT_EQ(Get("host"), S("a1b2c3d4e5f6"));
  EXPECT_EQ(Get("version"), S("1.0.0"));
  EXPECT_FALSE(Has("error.type"));
  EXPECT_EQ(Get("error.message"), S("Conexão lenta"));
  EXPECT_EQ(Get("error.file"), S("C:\\app\\db.py"));
  EXPECT_EQ(Get("error.line"), I(88));
  EXPECT_EQ(Get("error.function"), S("conectar"));
  EXPECT_EQ(Get("ambiente.os"), S("Windows"));
  EXPECT_EQ(Get("ambiente.python"), S("3.11.4"));
}

// Seed 001 ExceptionReporter.report: an uncaught exception.
TEST_F(SeedLineTest, Seed001UncaughtException) {
  ASSERT_TRUE(Norm(R"({"timestamp":"2026-01-15T10:31:00Z","nivel":"CRITICAL","maquina_id":"m1",)"
                   R"("app_version":"1.0.0","erro":{"tipo":"KeyError","mensagem":"'id'",)"
                   R"("stacktrace":"Traceback...\nKeyError: 'id'\n","arquivo":"app.py","linha":12,)"
                   R"("funcao":"main"},"contexto":{"funcao_decorada":"salvar"},)"
                   R"("ambiente":{"os":"Windows"},"nao_tratada":true})")
                  .ok());
  EXPECT_EQ(Get("level"), S("fatal"));
  EXPECT_EQ(Get("error.type"), S("KeyError"));
  EXPECT_EQ(Get("error.stack"), S("Traceback...\nKeyError: 'id'\n"));
  EXPECT_EQ(Get("contexto.funcao_decorada"), S("salvar"));
  EXPECT_EQ(Get("nao_tratada"), B(true));
}

// Seed 001 AuditLogger: EventoAuditoria.to_dict() plus machine id and version.
TEST_F(SeedLineTest, Seed001AuditEvent) {
  ASSERT_TRUE(Norm(R"({"timestamp":"2026-01-15T10:32:00+00:00","acao":"questao.criada",)"
                   R"("entidade":"questao","entidade_id":"65a1","detalhes":{"titulo":"Soma",)"
                   R"("tipo":"multipla","tags":["mat","bas"]},"usuario_id":null,)"
                   R"("maquina_id":"m1","app_version":"1.0.0"})")
                  .ok());
  EXPECT_EQ(Get("action"), S("questao.criada"));
  EXPECT_EQ(Get("entity"), S("questao"));
  EXPECT_EQ(Get("entity_id"), S("65a1"));
  EXPECT_EQ(Get("details.titulo"), S("Soma"));
  EXPECT_EQ(Get("details.tipo"), S("multipla"));
  EXPECT_EQ(Get("details.tags"), S(R"(["mat","bas"])"));
  EXPECT_FALSE(Has("user_id"));
  EXPECT_EQ(Get("host"), S("m1"));
}

// Seed 001 MetricsCollector.end_session.
TEST_F(SeedLineTest, Seed001SessionMetrics) {
  ASSERT_TRUE(
      Norm(R"({"timestamp":"2026-01-15T11:00:00+00:00","maquina_id":"m1","app_version":"1.0.0",)"
           R"("tipo":"SESSAO","sessao":{"inicio":"2026-01-15T10:00:00+00:00",)"
           R"("fim":"2026-01-15T11:00:00+00:00","duracao_segundos":3600},)"
           R"("contadores":{"questoes_criadas":3},"timings":{"exportar_pdf":)"
           R"({"count":2,"min_ms":10.5,"max_ms":30.25,"avg_ms":20.38}}})")
          .ok());
  EXPECT_EQ(Get("tipo"), S("SESSAO"));
  EXPECT_EQ(Get("sessao.duracao_segundos"), I(3600));
  EXPECT_EQ(Get("contadores.questoes_criadas"), I(3));
  EXPECT_EQ(Get("timings.exportar_pdf.max_ms"), F(30.25));
}

}  // namespace
}  // namespace vigia
