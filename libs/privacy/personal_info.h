// Sealing and opening a member's personal information (name, ethnicity,
// education, birth date, post title) with AES-256-GCM through OpenSSL's EVP:
// the member's key (key_store.h), a random 96-bit nonce per seal, and the
// member id as associated data. The fields the views count stay in plain text.
//
//   v1::MemberAttributes attributes = ...;  // as the client sent them
//   ASSIGN_OR_RETURN(std::string key, keys.KeyForSealing(member_id));
//   RETURN_IF_ERROR(SealPersonalInfo(key, member_id, attributes));
//   // attributes: personal fields empty, sealed_personal_info set
//   RETURN_IF_ERROR(OpenPersonalInfo(key, member_id, attributes));  // and back
//
// Readers call Reveal, which decides per caller what the caller may see.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "libs/privacy/key_store.h"
#include "vanguard/v1/member_events.pb.h"

namespace vanguard::privacy {

// Whether any personal field, plain or sealed, is set.
bool HasPersonalInfo(const v1::MemberAttributes& attributes);

// Clears the plain personal fields (not the sealed form).
void ClearPlainPersonalInfo(v1::MemberAttributes& attributes);

// Clears the plain personal fields and the sealed form.
void ErasePersonalInfo(v1::MemberAttributes& attributes);

// Moves the plain personal fields into sealed_personal_info. INVALID_ARGUMENT
// when the attributes are sealed already (a client may not send a sealed
// form); INTERNAL for a key that is not kKeyBytes long or an OpenSSL failure.
absl::Status SealPersonalInfo(absl::string_view key, absl::string_view member_id,
                              v1::MemberAttributes& attributes);

// Opens sealed_personal_info into the plain fields and clears the sealed
// form; attributes without one are left alone. DATA_LOSS, changing nothing,
// when the key does not open it (another key, another member, altered bytes).
absl::Status OpenPersonalInfo(absl::string_view key, absl::string_view member_id,
                              v1::MemberAttributes& attributes);

// What a reader shows a caller of a member's attributes, rewriting them to
// match: erased (the views recorded the erasure, or the key is destroyed),
// sealed (outside the caller's scope: plain fields cleared, the sealed form
// kept), plain (opened), or unreadable (no key store, no key, or the key does
// not open it: personal fields cleared). Attributes written before sealing
// existed carry plain fields: shown to a caller in scope, cleared otherwise.
v1::PersonalInfoAccess Reveal(const KeyStore* keys, absl::string_view member_id, bool in_scope,
                              bool erased, v1::MemberAttributes& attributes);

}  // namespace vanguard::privacy
