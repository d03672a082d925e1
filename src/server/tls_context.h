// TLS contexts of vigia's listeners: a server-side OpenSSL context (Boost.Asio) loaded from
// PEM files — TLS 1.2 and 1.3 only, the certificate chain and its private key (checked to
// match), and optionally the CA file that client certificates must chain to (mutual TLS).
// Shared by the HTTPS listener (server.tls_*, http_server.h) and the syslog TLS listener
// (syslog.tls_*, RFC 5425, syslog_listener.h); both call it again on SIGHUP to rotate the
// certificate, keeping the old context when the new files are bad.
//
// Thread-safety: LoadServerTlsContext is thread-safe (it touches only what it creates).
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "common/status.h"

namespace vigia {

struct TlsFiles {
  std::string cert_file;       // PEM certificate chain, leaf first. REQUIRES: not empty
  std::string key_file;        // PEM private key of the leaf. REQUIRES: not empty
  std::string client_ca_file;  // PEM CA(s) client certificates must chain to; empty = none asked
  // The configuration keys the files come from, named in errors ("server.tls_cert_file").
  std::string cert_key = "server.tls_cert_file";
  std::string key_key = "server.tls_key_file";
  std::string client_ca_key;
};

// Loads a server context from `files`. With client_ca_file set, a client must present a
// certificate that chains to it, or the handshake fails. Errors name the key and the file.
Result<std::shared_ptr<boost::asio::ssl::context>> LoadServerTlsContext(const TlsFiles& files);

}  // namespace vigia
