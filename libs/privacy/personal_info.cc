#include "libs/privacy/personal_info.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace vanguard::privacy {
namespace {

constexpr int kNonceBytes = 12;
constexpr int kTagBytes = 16;
constexpr char kAssociatedPrefix[] = "vanguard.v1.MemberPersonalInfo/";

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

v1::MemberPersonalInfo PlainFields(const v1::MemberAttributes& a) {
  v1::MemberPersonalInfo info;
  info.set_name(a.name());
  info.set_ethnicity(a.ethnicity());
  info.set_education(a.education());
  if (a.has_birth_date()) *info.mutable_birth_date() = a.birth_date();
  info.set_post_title(a.post_title());
  return info;
}

// AES-256-GCM; `out` gets the ciphertext followed by the tag.
bool Encrypt(absl::string_view key, absl::string_view nonce, absl::string_view associated,
             absl::string_view plaintext, std::string& out) {
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(associated),
                        static_cast<int>(associated.size())) != 1) {
    return false;
  }
  out.assign(plaintext.size() + kTagBytes, '\0');
  unsigned char* data = reinterpret_cast<unsigned char*>(out.data());
  int written = 0;
  if (EVP_EncryptUpdate(ctx.get(), data, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1) {
    return false;
  }
  written = len;
  if (EVP_EncryptFinal_ex(ctx.get(), data + written, &len) != 1) return false;
  written += len;
  if (static_cast<size_t>(written) != plaintext.size()) return false;
  return EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, data + written) == 1;
}

// False when the tag does not verify (or OpenSSL fails).
bool Decrypt(absl::string_view key, absl::string_view nonce, absl::string_view associated,
             absl::string_view sealed, std::string& out) {
  if (sealed.size() < static_cast<size_t>(kTagBytes)) return false;
  const size_t length = sealed.size() - kTagBytes;
  std::string tag(sealed.substr(length));
  CipherContext ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(associated),
                        static_cast<int>(associated.size())) != 1) {
    return false;
  }
  out.assign(length, '\0');
  unsigned char* data = reinterpret_cast<unsigned char*>(out.data());
  if (EVP_DecryptUpdate(ctx.get(), data, &len, Bytes(sealed), static_cast<int>(length)) != 1) {
    return false;
  }
  int written = len;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1) {
    return false;
  }
  if (EVP_DecryptFinal_ex(ctx.get(), data + written, &len) != 1) return false;
  return static_cast<size_t>(written + len) == length;
}

}  // namespace

bool HasPersonalInfo(const v1::MemberAttributes& a) {
  return !a.name().empty() || !a.ethnicity().empty() || a.education() != 0 ||
         a.has_birth_date() || !a.post_title().empty() || a.has_sealed_personal_info();
}

void ClearPlainPersonalInfo(v1::MemberAttributes& a) {
  a.clear_name();
  a.clear_ethnicity();
  a.clear_education();
  a.clear_birth_date();
  a.clear_post_title();
}

void ErasePersonalInfo(v1::MemberAttributes& a) {
  ClearPlainPersonalInfo(a);
  a.clear_sealed_personal_info();
}

absl::Status SealPersonalInfo(absl::string_view key, absl::string_view member_id,
                              v1::MemberAttributes& attributes) {
  if (attributes.has_sealed_personal_info()) {
    return absl::InvalidArgumentError(
        "attributes.sealed_personal_info: set by the server; send the plain fields");
  }
  if (key.size() != kKeyBytes) return absl::InternalError("personal information: malformed key");
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1) {
    return absl::InternalError("personal information: no random bytes for a nonce");
  }
  std::string plaintext;
  PlainFields(attributes).SerializeToString(&plaintext);
  std::string ciphertext;
  if (!Encrypt(key, nonce, absl::StrCat(kAssociatedPrefix, member_id), plaintext, ciphertext)) {
    return absl::InternalError("personal information: encryption failed");
  }
  ClearPlainPersonalInfo(attributes);
  v1::SealedPersonalInfo& sealed = *attributes.mutable_sealed_personal_info();
  sealed.set_nonce(std::move(nonce));
  sealed.set_ciphertext(std::move(ciphertext));
  return absl::OkStatus();
}

absl::Status OpenPersonalInfo(absl::string_view key, absl::string_view member_id,
                              v1::MemberAttributes& attributes) {
  if (!attributes.has_sealed_personal_info()) return absl::OkStatus();
  const v1::SealedPersonalInfo& sealed = attributes.sealed_personal_info();
  std::string plaintext;
  v1::MemberPersonalInfo info;
  if (key.size() != kKeyBytes || sealed.nonce().size() != static_cast<size_t>(kNonceBytes) ||
      !Decrypt(key, sealed.nonce(), absl::StrCat(kAssociatedPrefix, member_id),
               sealed.ciphertext(), plaintext) ||
      !info.ParseFromString(plaintext)) {
    return absl::DataLossError(absl::StrCat(
        "member ", member_id,
        ": the sealed personal information does not open with the member's key (altered, or "
        "sealed under another key)"));
  }
  attributes.clear_sealed_personal_info();
  attributes.set_name(info.name());
  attributes.set_ethnicity(info.ethnicity());
  attributes.set_education(info.education());
  if (info.has_birth_date()) {
    *attributes.mutable_birth_date() = info.birth_date();
  } else {
    attributes.clear_birth_date();
  }
  attributes.set_post_title(info.post_title());
  return absl::OkStatus();
}

v1::PersonalInfoAccess Reveal(const KeyStore* keys, absl::string_view member_id, bool in_scope,
                              bool erased, v1::MemberAttributes& attributes) {
  if (erased) {
    ErasePersonalInfo(attributes);
    return v1::PERSONAL_INFO_ACCESS_ERASED;
  }
  if (!HasPersonalInfo(attributes)) return v1::PERSONAL_INFO_ACCESS_UNSPECIFIED;
  absl::StatusOr<KeyLookup> lookup = absl::UnavailableError("no key store");
  if (keys != nullptr) lookup = keys->Find(std::string(member_id));
  if (lookup.ok() && lookup->state == KeyState::kErased) {
    ErasePersonalInfo(attributes);
    return v1::PERSONAL_INFO_ACCESS_ERASED;
  }
  if (!in_scope) {
    ClearPlainPersonalInfo(attributes);
    return v1::PERSONAL_INFO_ACCESS_SEALED;
  }
  if (!attributes.has_sealed_personal_info()) return v1::PERSONAL_INFO_ACCESS_PLAIN;
  if (lookup.ok() && lookup->state == KeyState::kLive &&
      OpenPersonalInfo(lookup->key, member_id, attributes).ok()) {
    return v1::PERSONAL_INFO_ACCESS_PLAIN;
  }
  ClearPlainPersonalInfo(attributes);
  return v1::PERSONAL_INFO_ACCESS_UNREADABLE;
}

}  // namespace vanguard::privacy
