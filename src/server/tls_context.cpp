#include "server/tls_context.h"

#include <openssl/ssl.h>

namespace vigia {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> LoadServerTlsContext(const TlsFiles& f) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) return Status::Internal("TLS context: " + ec.message());
  ctx->use_certificate_chain_file(f.cert_file, ec);
  if (ec) {
    return Status::InvalidArgument(f.cert_key + ": cannot load certificate chain from \"" +
                                   f.cert_file + "\": " + ec.message());
  }
  ctx->use_private_key_file(f.key_file, ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument(f.key_key + ": cannot load private key from \"" + f.key_file +
                                   "\": " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Status::InvalidArgument(f.key_key + ": the private key in \"" + f.key_file +
                                   "\" does not match the certificate in \"" + f.cert_file + "\"");
  }
  if (!f.client_ca_file.empty()) {
    ctx->load_verify_file(f.client_ca_file, ec);
    if (ec) {
      return Status::InvalidArgument(f.client_ca_key + ": cannot load CA certificates from \"" +
                                     f.client_ca_file + "\": " + ec.message());
    }
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
    if (ec) return Status::Internal("TLS context: " + ec.message());
  }
  return ctx;
}

}  // namespace vigia
