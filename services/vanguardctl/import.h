// `vanguardctl import FILE.csv`: a department's spreadsheet of members,
// pledges or disbursements, submitted once (报一次) over one Submit stream.
// Each row is its own command with its own request id: a bad row is reported
// with its line and reason and never fails the others, and importing the same
// file again applies nothing twice.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "vanguard/v1/submit_service.pb.h"

namespace vanguard::ctl {

// The columns of each kind, header first in the file, in any order:
//   members:       request_id, organisation_id, name, category, gender, probationary, holds_post
//   pledges:       request_id, campaign_id, pledger_org | pledger_member, kind, theme, text,
//                  target, quantity, unit, due_on
//   disbursements: request_id, source_organisation_id, purpose, year, to_org | to_member,
//                  yuan, description
inline constexpr char kImportHelp[] =
    "vanguardctl import FILE.csv --rows members|pledges|disbursements\n"
    "  One command per row, over one stream; the first row names the columns:\n"
    "    members:       request_id,organisation_id,name,category,gender,probationary,holds_post\n"
    "    pledges:       request_id,campaign_id,pledger_org,pledger_member,kind,theme,text,\n"
    "                   target,quantity,unit,due_on\n"
    "    disbursements: request_id,source_organisation_id,purpose,year,to_org,to_member,yuan,\n"
    "                   description\n"
    "  Rows the server refuses are listed with their line and reason (exit 1); importing the\n"
    "  same file again applies nothing twice.";

// Splits CSV text (RFC 4180: quoted fields, "" inside quotes) into rows.
absl::StatusOr<std::vector<std::vector<std::string>>> ParseCsv(const std::string& text);

// The command of one row; INVALID_ARGUMENT naming the column otherwise.
absl::StatusOr<v1::SubmitRequest> RowToCommand(const std::string& rows,
                                               const std::vector<std::string>& header,
                                               const std::vector<std::string>& row);

// Runs the import; prints progress on a terminal and the report; returns the exit code.
int RunImport(const std::shared_ptr<grpc::Channel>& channel, const std::string& file,
              const std::string& rows, const std::string& token);

}  // namespace vanguard::ctl
