#include "main/serve_config_file.h"

#include <algorithm>

namespace kura {

std::string applyServeConfigFile(CLI::App& serve) {
  CLI::Option* configOption = serve.get_config_ptr();
  if (configOption == nullptr || configOption->count() == 0) return "";
  std::string path = configOption->as<std::string>();
  if (path.empty()) return "";
  std::vector<CLI::ConfigItem> items;
  try {
    items = serve.get_config_formatter()->from_file(path);
  } catch (const CLI::Error& error) {
    return "cannot read the config file " + path + ": " + error.what();
  }
  for (const CLI::ConfigItem& item : items) {
    // Section markers, and anything under a section but [serve].
    if (item.name == "++" || item.name == "--") continue;
    if (!item.parents.empty() && item.parents != std::vector<std::string>{serve.get_name()}) {
      return "config file " + path + ": unknown section for '" + item.fullname() + "' (only [serve] is read)";
    }
    std::string name = item.name;
    std::replace(name.begin(), name.end(), '_', '-');
    CLI::Option* option = serve.get_option_no_throw("--" + name);
    if (option == nullptr || option == configOption) {
      return "config file " + path + ": unknown setting '" + item.name + "'";
    }
    if (option->count() > 0) continue;  // the environment or a flag set it
    try {
      if (option->get_expected_min() == 0) {  // a flag: "true", "false", "1", ...
        option->add_result(option->get_flag_value(name, serve.get_config_formatter()->to_flag(item)));
      } else {
        option->add_result(item.inputs);
      }
      option->run_callback();
    } catch (const CLI::Error& error) {
      return "config file " + path + ": " + item.name + ": " + error.what();
    }
  }
  return "";
}

}  // namespace kura
