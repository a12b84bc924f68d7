#pragma once
// `rds-db:connect` decided as every API call of an IAM principal is: by the
// API's own authorizer (identity policies of the user or of the session's
// role, a session policy, condition keys), on the database user's ARN.
#include "dbauth/db_auth_token.h"
#include "iam/request_authorizer.h"

namespace kura::dbauth {

// Registers with `authorizer` how it finds the ARN of a connect.
DbAuthTokenVerifier::Authorize authorizeWith(iam::RequestAuthorizer& authorizer);

}  // namespace kura::dbauth
