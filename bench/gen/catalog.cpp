#include "gen/catalog.h"

#include <array>

namespace vigia::bench {
namespace {

using RA = RouteAction;

// Weights are requests per 1000; latencies are what such handlers typically show: bcrypt
// logins ~100 ms, payment calls to a gateway ~200 ms, cached catalog reads ~20 ms.
constexpr std::array kRoutes = {
    Route{"auth-api", "POST", "/api/auth/login", "login", RA::kLogin, 70, 110, 0.45, 500, 0.07},
    Route{"auth-api", "POST", "/api/auth/logout", "logout", RA::kLogout, 20, 12, 0.5, 500, 0.01},
    Route{"auth-api", "POST", "/api/auth/refresh", "refresh_token", RA::kRefresh, 45, 9, 0.5, 500,
          0.03},
    Route{"auth-api", "POST", "/api/auth/forgot-password/start", "forgot_password_start",
          RA::kPasswordReset, 6, 240, 0.6, 2000, 0.05},
    Route{"auth-api", "POST", "/api/auth/2fa/verify", "two_factor_verify", RA::kTwoFactor, 8, 35,
          0.5, 500, 0.08},
    Route{"auth-api", "GET", "/api/teams", "list_teams", RA::kTeams, 40, 28, 0.6, 1000, 0.01},
    Route{"auth-api", "POST", "/api/teams/{id}/members", "add_member", RA::kAddMember, 6, 45, 0.6,
          1000, 0.06},
    Route{"sales-api", "POST", "/sales", "createSale", RA::kCreateSale, 55, 60, 0.55, 1000, 0.03},
    Route{"sales-api", "GET", "/sales/{id}", "getSale", RA::kGetSale, 90, 14, 0.6, 1000, 0.03},
    Route{"sales-api", "POST", "/sales/{id}/pay", "paySale", RA::kPaySale, 50, 190, 0.65, 1000,
          0.02},
    Route{"sales-api", "POST", "/cash/{id}/close", "closeCash", RA::kCloseCash, 4, 420, 0.5, 2000,
          0.02},
    Route{"sales-api", "GET", "/stores/{id}/stock", "getStock", RA::kStock, 70, 38, 0.7, 1000,
          0.01},
    Route{"catalog-api", "GET", "/api/products", "listProducts", RA::kListProducts, 240, 22, 0.7,
          1000, 0.005},
    Route{"catalog-api", "GET", "/api/products/{id}", "getProduct", RA::kGetProduct, 200, 11, 0.6,
          1000, 0.04},
    Route{"catalog-api", "GET", "/health/ready", "ready", RA::kHealth, 80, 3, 0.35, 1000, 0.0},
    Route{"reports-worker", "GET", "/reports/daily", "dailyReport", RA::kDailyReport, 6, 900, 0.8,
          3000, 0.01},
};

// Real user-agent strings (most from ua-parser's uap-core test corpus, the rest the current
// shapes of the same families), weighted like a consumer web/mobile API: Chrome desktop and
// mobile dominate, then Safari, the Flutter/okhttp app clients, Firefox, Edge and bots.
constexpr std::array kUserAgents = {
    UserAgent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/119.0.0.0 Safari/537.36",
              220},
    UserAgent{
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/118.0.0.0 Safari/537.36",
        70},
    UserAgent{
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_6) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/60.0.3112.78 Safari/537.36",
        10},
    UserAgent{
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.0.0 "
        "Safari/537.36",
        25},
    UserAgent{"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/119.0.0.0 Mobile Safari/537.36",
              130},
    UserAgent{
        "Mozilla/5.0 (Linux; Android 4.4.2; Nexus 5 Build/KOT49H) AppleWebKit/537.36 (KHTML, like "
        "Gecko) Chrome/35.0.1916.122 Mobile Safari/537.36",
        8},
    UserAgent{
        "Mozilla/5.0 (Linux; Android 7.1.2; Nexus 5X Build/N2G47W; wv) AppleWebKit/537.36 (KHTML, "
        "like Gecko) Version/4.0 Chrome/58.0.3029.83 Mobile Safari/537.36",
        12},
    UserAgent{
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
        140},
    UserAgent{
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6 Mobile/15E148 Safari/604.1",
        25},
    UserAgent{
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1 Safari/605.1.15",
        45},
    UserAgent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
              45},
    UserAgent{"Mozilla/5.0 (X11; U; Linux x86_64; en-US; rv:1.9.2.12) Gecko/20101027 Ubuntu/10.04 "
              "(lucid) "
              "Firefox/3.6.12",
              3},
    UserAgent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/119.0.0.0 Safari/537.36 Edg/119.0.2151.58",
              45},
    UserAgent{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/42.0.2311.135 Safari/537.36 Edge/12.9600",
              3},
    UserAgent{
        "Mozilla/5.0 (Linux; Android 5.1.1; SAMSUNG SM-G920F Build/LMY47X) AppleWebKit/537.36 "
        "(KHTML, like Gecko) SamsungBrowser/3.2 Chrome/38.0.2125.102 Mobile Safari/537.36",
        20},
    UserAgent{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/40.0.2214.10 "
              "Safari/537.36 OPR/27.0.1689.22 (Edition developer)",
              6},
    UserAgent{"Dart/3.1 (dart:io)", 60},
    UserAgent{"okhttp/4.11.0", 25},
    UserAgent{"okhttp/3.4.2", 4},
    UserAgent{"Luminary/70 CFNetwork/978.0.7 Darwin/18.5.0", 10},
    UserAgent{
        "Instagram 415.0.0.36.76 Android (33/13; 320dpi; 720x1600; samsung; SM-A032M; a3core; "
        "m168; pt_BR; 874816631)",
        6},
    UserAgent{"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 18},
    UserAgent{"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 8},
    UserAgent{"Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 3},
    UserAgent{"curl/7.88.1", 4},
    UserAgent{"Apache-HttpClient/4.5.14 (Java/17.0.8)", 3},
    UserAgent{"kube-probe/1.27", 5},
};

constexpr std::array kErrors = {
    ErrorSignature{
        "OperationalError",
        "(psycopg2.OperationalError) could not connect to server: Connection refused", "E_DB_CONN",
        "app/api/dependencies.py", 41, "get_db",
        "Traceback (most recent call last):\n"
        "  File \"/app/app/core/logger.py\", line 227, in dispatch\n"
        "    response: Response = await call_next(request)\n"
        "  File \"/app/app/api/endpoints/auth.py\", line 545, in login\n"
        "    result = await db.execute(select(User).filter(User.email == login_data.email))\n"
        "  File \"/app/app/api/dependencies.py\", line 41, in get_db\n"
        "    async with SessionLocal() as session:\n"
        "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not connect to server: "
        "Connection refused",
        30},
    ErrorSignature{"KeyError", "'team_id'", "E_INTERNAL", "app/api/endpoints/teams.py", 118,
                   "add_member",
                   "Traceback (most recent call last):\n"
                   "  File \"/app/app/core/logger.py\", line 227, in dispatch\n"
                   "    response: Response = await call_next(request)\n"
                   "  File \"/app/app/api/endpoints/teams.py\", line 118, in add_member\n"
                   "    team = teams_by_id[payload['team_id']]\n"
                   "KeyError: 'team_id'",
                   10},
    ErrorSignature{
        "PaymentGatewayTimeout", "payment gateway did not answer within 5000 ms", "PAY_TIMEOUT",
        "src/modules/sales/payment.service.ts", 88, "confirmPayment",
        "PaymentGatewayTimeout: payment gateway did not answer within 5000 ms\n"
        "    at PaymentService.confirmPayment (/app/dist/modules/sales/payment.service.js:88:15)\n"
        "    at async SalesController.paySale (/app/dist/modules/sales/sales.controller.js:142:7)\n"
        "    at async /app/node_modules/@nestjs/core/router/router-execution-context.js:46:28",
        40},
    ErrorSignature{
        "PrismaClientKnownRequestError", "Can't reach database server at `db:5432` (P1001)",
        "P1001", "src/modules/sales/sales.repository.ts", 57, "findSale",
        "PrismaClientKnownRequestError: Can't reach database server at `db:5432`\n"
        "    at RequestHandler.handleRequestError "
        "(/app/node_modules/@prisma/client/runtime/library.js:122:6877)\n"
        "    at SalesRepository.findSale (/app/dist/modules/sales/sales.repository.js:57:22)\n"
        "    at async SalesController.getSale "
        "(/app/dist/modules/sales/sales.controller.js:61:18)",
        20},
    ErrorSignature{
        "TypeError", "Cannot read properties of undefined (reading 'amount')", "E_INTERNAL",
        "src/modules/cash/cash.service.ts", 203, "closeCash",
        "TypeError: Cannot read properties of undefined (reading 'amount')\n"
        "    at CashService.closeCash (/app/dist/modules/cash/cash.service.js:203:41)\n"
        "    at async CashController.close (/app/dist/modules/cash/cash.controller.js:33:12)",
        8},
    ErrorSignature{
        "java.lang.NullPointerException",
        "Cannot invoke \"String.length()\" because \"sku\" is null", "E_NPE",
        "ProductResource.java", 77, "getProduct",
        "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"sku\" is "
        "null\n"
        "\tat com.example.catalog.ProductResource.getProduct(ProductResource.java:77)\n"
        "\tat com.example.catalog.ProductResource$quarkusrestinvoker$getProduct_1.invoke(Unknown "
        "Source)\n"
        "\tat "
        "org.jboss.resteasy.reactive.server.handlers.InvocationHandler.handle(InvocationHandler."
        "java:29)\n"
        "\tat "
        "io.quarkus.vertx.core.runtime.VertxCoreRecorder$14.runWith(VertxCoreRecorder.java:576)",
        15},
    ErrorSignature{
        "io.vertx.core.VertxException", "Connection was closed", "E_UPSTREAM",
        "ProductResource.java", 52, "listProducts",
        "io.vertx.core.VertxException: Connection was closed\n"
        "\tat io.vertx.core.net.impl.ConnectionBase.handleClosed(ConnectionBase.java:393)\n"
        "\tat com.example.catalog.ProductResource.listProducts(ProductResource.java:52)",
        12},
};

constexpr std::array<std::string_view, 4> kServices = {"auth-api", "sales-api", "catalog-api",
                                                       "reports-worker"};

constexpr std::array<std::string_view, 8> kHosts = {"web-1",    "web-2",    "web-3",    "web-4",
                                                    "api-7f9c", "api-8d21", "worker-1", "worker-2"};

constexpr std::array<std::string_view, 6> kWorkerMessages = {"Job started",
                                                             "Job completed",
                                                             "Worker heartbeat",
                                                             "Cache refreshed",
                                                             "Database health check ok",
                                                             "Backup snapshot uploaded"};

}  // namespace

std::span<const Route> Routes() { return kRoutes; }
std::span<const UserAgent> UserAgents() { return kUserAgents; }
std::span<const ErrorSignature> ErrorSignatures() { return kErrors; }
std::span<const std::string_view> Services() { return kServices; }
std::span<const std::string_view> Hosts() { return kHosts; }
std::string_view AppVersion() { return "2.14.3"; }
std::string_view Environment() { return "prod"; }
std::span<const std::string_view> WorkerMessages() { return kWorkerMessages; }

}  // namespace vigia::bench
