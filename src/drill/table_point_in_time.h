#pragma once
// accidental-delete on a DynamoDB table with point-in-time recovery: the
// drill's own items written, every one deleted (DeleteItem, the
// accident), the table restored to T into a temporary table
// (RestoreTableToPointInTime, tagged kura:drill), the items read back
// there, the temporary table deleted. point_in_time.h has the drill's shape.
#include <string>

#include "drill/drill_context.h"

namespace kura::drill {

// The report, or why the drill could not run (`notFound`: the sentence
// when the endpoint has no such table either).
DrillResult runTablePointInTimeDrill(DrillContext& context, const std::string& notFound);

}  // namespace kura::drill
