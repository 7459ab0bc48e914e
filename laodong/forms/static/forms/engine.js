// The form check on the enumerator's phone: the same engine as the server's
// (laodong/forms/validation.py), reading the same data — the form definition, its code lists,
// the rules between items (laodong/forms/rules.py) and the engine's messages — from the pack
// the phone downloads (laodong/forms/offline.py). The parity test runs thousands of forms
// through both and requires identical findings; change one side only with the other.
(function (root) {
  "use strict";

  // Python's str.split() white space (JavaScript's \s differs on \x1c-\x1f, \x85, \ufeff).
  var SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var SPACES = new RegExp("[" + SPACE + "]+", "g");
  var ID_SEPARATORS = new RegExp("[" + SPACE + ".\\-]", "g");
  var CODE_PREFIX = new RegExp("^([0-9A-Za-z.]{1,5})[" + SPACE + "]+[-–:][" + SPACE + "]+[^" + SPACE + "]");
  var MULTI_SPLIT = new RegExp("[" + SPACE + "]*[,;|+][" + SPACE + "]*");
  var DMY = /^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$/;
  var ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
  var YEAR = /^(\d{4})$/;
  var MIN_YEAR = 1900;
  var LETTER = "[\\p{L}\\p{Nl}\\p{No}]";
  var NAME = new RegExp("^" + LETTER + "+(?:[ '\\-]" + LETTER + "+)*$", "u");
  var HIDDEN = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}]/u;
  var MARK = /\p{Mn}/gu;
  var ASCII_DIGITS = /^[0-9]+$/;

  // --- text (laodong/core/text.py) -----------------------------------------------------------

  function isAscii(text) { return /^[\x00-\x7f]*$/.test(text); }

  function normalizeText(value) {
    if (!isAscii(value)) { value = value.normalize("NFC"); }
    return value.split(SPACES).filter(function (part) { return part !== ""; }).join(" ");
  }

  function fold(value) {
    var text = normalizeText(value).toLowerCase().normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d");
    if (!isAscii(text)) { text = text.replace(MARK, ""); }
    return text.replace(/đ/g, "d");
  }

  function foldCompact(value) {
    return fold(value).replace(/[^0-9a-z ]+/g, " ").replace(/\s+/g, " ").trim();
  }

  function capitalizeWord(word) {
    return word.split(/([-'])/).map(function (part) {
      if (part === "-" || part === "'" || part === "") { return part; }
      var chars = Array.from(part);
      return chars[0].toUpperCase() + chars.slice(1).join("").toLowerCase();
    }).join("");
  }

  function capitalizeName(value) {
    return normalizeText(value).split(" ").filter(Boolean).map(capitalizeWord).join(" ");
  }

  function length(text) { return Array.from(text).length; }

  // laodong/linkage/names.py typed_key: no case, each word's tone mark moved to its end.
  var TONES = { "\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5" };

  function typedKey(name) {
    return name.toLowerCase().normalize("NFD").split(SPACES).filter(Boolean).map(function (word) {
      var chars = Array.from(word);
      var letters = chars.filter(function (c) { return !(c in TONES); });
      if (letters.length === chars.length) { return word; }
      var tone = chars.filter(function (c) { return c in TONES; })[0];
      return letters.join("") + TONES[tone];
    }).join(" ");
  }

  // --- dates (laodong/forms/dates.py) --------------------------------------------------------

  // A day: {y, m, d}; a partial date (an answer) adds yearOnly.
  function realDay(y, m, d) {
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) { return false; }
    var days = [31, (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28, 31, 30, 31, 30,
      31, 31, 30, 31, 30, 31];
    return d <= days[m - 1];
  }

  function parseDate(text, allowYearOnly) {
    text = text.trim();
    var match, y, m, d;
    if ((match = DMY.exec(text))) {
      d = +match[1]; m = +match[2]; y = +match[3];
    } else if ((match = ISO.exec(text))) {
      y = +match[1]; m = +match[2]; d = +match[3];
    } else if (allowYearOnly && (match = YEAR.exec(text))) {
      y = +match[1];
      return y >= MIN_YEAR ? { y: y, m: 1, d: 1, yearOnly: true } : null;
    } else {
      return null;
    }
    if (y < MIN_YEAR || !realDay(y, m, d)) { return null; }
    return { y: y, m: m, d: d, yearOnly: false };
  }

  function ordinal(day) { return day.y * 10000 + day.m * 100 + day.d; }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function dayText(day) { return two(day.d) + "/" + two(day.m) + "/" + String(day.y).padStart(4, "0"); }

  function partialText(day) { return day.yearOnly ? String(day.y) : dayText(day); }

  function addYears(day, years) {
    var y = day.y + years;
    return realDay(y, day.m, day.d) ? { y: y, m: day.m, d: day.d } : { y: y, m: day.m, d: 28 };
  }

  function ageOn(birth, on) {
    return on.y - birth.y - ((on.m < birth.m || (on.m === birth.m && on.d < birth.d)) ? 1 : 0);
  }

  // --- personal IDs (laodong/forms/citizen_id.py) --------------------------------------------

  function normalizeId(raw) { return (raw || "").replace(ID_SEPARATORS, ""); }

  function parseId(raw, provinces) {
    var number = normalizeId(raw);
    if (!number) { return { problem: "empty" }; }
    if (!ASCII_DIGITS.test(number)) { return { problem: "not_digits" }; }
    if (number.length === 9) { return { kind: "legacy" }; }
    if (number.length !== 12) { return { problem: "length" }; }
    if (provinces.indexOf(number.slice(0, 3)) === -1) { return { problem: "province" }; }
    var centurySex = +number[3];
    return {
      kind: "personal",
      birthYear: 1900 + 100 * Math.floor(centurySex / 2) + +number.slice(4, 6),
      isMale: centurySex % 2 === 0
    };
  }

  // --- printable characters (laodong/forms/fonts.py) -----------------------------------------

  function printable(ranges, point) {
    var low = 0, high = ranges.length - 1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (point < ranges[middle][0]) { high = middle - 1; }
      else if (point > ranges[middle][1]) { low = middle + 1; }
      else { return true; }
    }
    return false;
  }

  function unprintable(text, ranges) {
    if (/^[\x20-\x7e]*$/.test(text)) { return []; }
    var found = [];
    Array.from(text).forEach(function (char) {
      if (found.indexOf(char) !== -1 || char === " " || char === "\t") { return; }
      if (!printable(ranges, char.codePointAt(0)) || HIDDEN.test(char)) { found.push(char); }
    });
    return found;
  }

  function describeChars(chars) {
    return chars.slice(0, 5).map(function (char) {
      return "U+" + char.codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
    }).join(", ");
  }

  // --- code lists (laodong/forms/definitions.py) ---------------------------------------------

  function indexCodes(list) {
    if (list._byCode) { return list; }
    var byCode = {}, byText = {};
    list.codes.forEach(function (code) { byCode[code.code] = code; });
    list.codes.forEach(function (code) {
      [code.label].concat(code.aliases || []).forEach(function (name) {
        var key = foldCompact(name);
        if (!(key in byText)) { byText[key] = code; }
      });
    });
    list.codes.forEach(function (code) { byText[foldCompact(code.code)] = code; });
    Object.defineProperty(list, "_byCode", { value: byCode });
    Object.defineProperty(list, "_byText", { value: byText });
    return list;
  }

  function matchCode(list, text) {
    indexCodes(list);
    text = text.trim();
    var code = Object.prototype.hasOwnProperty.call(list._byCode, text) ? list._byCode[text] : null;
    var prefixed;
    if (code === null && (prefixed = CODE_PREFIX.exec(text))) {
      code = list._byCode[prefixed[1]] || null;
    }
    if (code !== null) { return code; }
    var key = foldCompact(text);
    return Object.prototype.hasOwnProperty.call(list._byText, key) ? list._byText[key] : null;
  }

  function getCode(list, value) {
    indexCodes(list);
    return Object.prototype.hasOwnProperty.call(list._byCode, value) ? list._byCode[value] : null;
  }

  // --- messages -------------------------------------------------------------------------------

  function format(template, params) {
    return template.replace(/%\((\w+)\)s/g, function (_all, name) {
      var value = params[name];
      if (value === null || value === undefined) { return "None"; }
      if (value === true) { return "True"; }
      if (value === false) { return "False"; }
      return String(value);
    });
  }

  function isEmpty(value) {
    return value === null || value === undefined || value === "" ||
      (Array.isArray(value) && value.length === 0);
  }

  // --- conditions of items (skip logic) -------------------------------------------------------

  function holds(condition, values) {
    if (condition.all) { return condition.all.every(function (part) { return holds(part, values); }); }
    var value = values[condition.field];
    if (condition.contains) { return Array.isArray(value) && value.indexOf(condition.contains) !== -1; }
    return typeof value === "string" && condition["in"].indexOf(value) !== -1;
  }

  function conditionFields(condition) {
    if (condition.all) { return [].concat.apply([], condition.all.map(conditionFields)); }
    return [condition.field];
  }

  // --- the expressions of the rules (laodong/forms/rules.py) ----------------------------------

  function isDay(value) { return value !== null && typeof value === "object" && "y" in value && !Array.isArray(value); }

  function plain(value) { return isDay(value) ? ordinal(value) : value; }

  function evaluate(expression, scope) {
    if (expression === null || typeof expression !== "object" || Array.isArray(expression)) {
      return expression;
    }
    var operator = Object.keys(expression)[0];
    var argument = expression[operator];
    var values = scope.values;
    function arg(n) { return evaluate(argument[n], scope); }
    var value, left, right;
    switch (operator) {
      case "code":
        value = values[argument];
        return typeof value === "string" ? value : "";
      case "value":
        return values[argument] === undefined ? null : values[argument];
      case "date":
        value = values[argument];
        return isDay(value) ? value : null;
      case "var":
        return scope.variables[argument] === undefined ? null : scope.variables[argument];
      case "all":
        return argument.every(function (part) { return evaluate(part, scope); });
      case "any":
        return argument.some(function (part) { return evaluate(part, scope); });
      case "not":
        return !evaluate(argument, scope);
      case "if":
        return evaluate(argument[0], scope) ? arg(1) : arg(2);
      case "eq":
        return plain(arg(0)) === plain(arg(1));
      case "ne":
        left = plain(arg(0)); right = plain(arg(1));
        return left !== null && right !== null && left !== right;
      case "lt":
      case "gt":
        left = plain(arg(0)); right = plain(arg(1));
        if (left === null || right === null || typeof left === "boolean" || typeof right === "boolean") {
          return false;
        }
        return operator === "lt" ? left < right : left > right;
      case "in":
        return argument[1].indexOf(arg(0)) !== -1;
      case "has":
        value = arg(0);
        return Array.isArray(value) && value.indexOf(arg(1)) !== -1;
      case "empty":
        return isEmpty(evaluate(argument, scope));
      case "starts":
        value = arg(0);
        return typeof value === "string" && value.indexOf(arg(1)) === 0;
      case "words":
        value = " " + fold(arg(0) || "") + " ";
        return argument[1].some(function (word) { return value.indexOf(" " + word + " ") !== -1; });
      case "year_only":
        value = evaluate(argument, scope);
        return isDay(value) && value.yearOnly === true;
      case "year":
        value = evaluate(argument, scope);
        return isDay(value) ? value.y : null;
      case "add_years":
        value = arg(0);
        if (!isDay(value) || !("yearOnly" in value)) { return null; }
        var later = addYears(value, argument[1]);
        later.yearOnly = false;
        return later;
      case "length":
        return length(evaluate(argument, scope) || "");
      case "slice":
        return Array.from(arg(0) || "").slice(argument[1], argument[2]).join("");
      case "date_text":
        value = evaluate(argument, scope);
        if (!isDay(value)) { return value === null ? "" : String(value); }
        return "yearOnly" in value ? partialText(value) : dayText(value);
      case "say":
        return Object.prototype.hasOwnProperty.call(scope.words, argument) ? scope.words[argument] : argument;
      case "listed":
        value = scope.listed[argument];
        return value === undefined ? null : value;
      case "folded":
        value = evaluate(argument, scope);
        return fold(value === null || value === undefined ? "" : String(value));
      case "typed_key":
        value = evaluate(argument, scope);
        return typedKey(value === null || value === undefined ? "" : String(value));
      default:
        throw new Error("unknown operator " + operator);
    }
  }

  // --- the check ------------------------------------------------------------------------------

  function Checker(pack, form, today) {
    this.pack = pack;
    this.form = form;
    this.today = today;
    this.messages = pack.messages;
    this.findings = [];
    this.values = {};
    this.unreadable = {};
    this.items = {};
    var self = this;
    form.items.forEach(function (item) { self.items[item.key] = item; });
    this.instead = {};
    pack.rules.rules.forEach(function (rule) {
      if (rule.instead_of_not_applicable) {
        (self.instead[rule.instead_of_not_applicable] = self.instead[rule.instead_of_not_applicable] || []).push(rule);
      }
    });
  }

  Checker.prototype.title = function (key) {
    var item = this.items[key];
    if (!item) { return key; }
    return item.number ? item.number + ". " + item.label : item.label;
  };

  Checker.prototype.add = function (rule, severity, key, message) {
    if (rule === "choice.invalid" || rule === "date.invalid") { this.unreadable[key] = true; }
    this.findings.push({ rule: rule, severity: severity, field: key, message: this.title(key) + ": " + message });
  };

  Checker.prototype.codeList = function (item) { return this.form.code_lists[item.code_list]; };

  Checker.prototype.cleanChoice = function (item, text) {
    var list = this.codeList(item);
    var code = matchCode(list, text);
    if (code === null) {
      var choices = list.codes.slice(0, 12).map(function (c) { return c.code + " = " + c.label; }).join("; ");
      this.add("choice.invalid", "error", item.key, format(this.messages["choice.invalid"], {
        value: text, choices: choices, more: list.codes.length > 12 ? "…" : ""
      }));
      return null;
    }
    return code.code;
  };

  Checker.prototype.cleanValue = function (item, value) {
    var self = this;
    if (item.type === "choice") { return this.cleanChoice(item, String(value)); }
    if (item.type === "multi_choice") {
      var parts = Array.isArray(value) ? value : String(value).split(MULTI_SPLIT);
      var codes = [];
      parts.forEach(function (part) {
        if (part) {
          var code = self.cleanChoice(item, String(part));
          if (code !== null) { codes.push(code); }
        }
      });
      return codes;
    }
    if (item.type === "date") {
      var parsed = parseDate(String(value), !!item.allow_year_only);
      if (parsed === null) {
        var hint = this.messages["date.hint"];
        if (item.allow_year_only) { hint += this.messages["date.hint_year"]; }
        this.add("date.invalid", "error", item.key, format(this.messages["date.invalid"], { value: value, hint: hint }));
      }
      return parsed;
    }
    if (item.type === "personal_id") { return normalizeId(String(value)); }
    if (item.type === "digits") { return String(value).replace(new RegExp("[" + SPACE + "]", "g"), ""); }
    if (item.type === "person_name") { return capitalizeName(String(value)); }
    return String(value);
  };

  Checker.prototype.clean = function (raw) {
    var self = this;
    this.form.items.forEach(function (item) {
      var value = Object.prototype.hasOwnProperty.call(raw, item.key) ? raw[item.key] : null;
      if (typeof value === "string") { value = normalizeText(value); }
      if (isEmpty(value)) {
        self.values[item.key] = item.type === "multi_choice" ? [] : "";
        return;
      }
      self.values[item.key] = self.cleanValue(item, value);
    });
  };

  Checker.prototype.describe = function (condition) {
    var self = this;
    if (condition.all) {
      return condition.all.map(function (part) { return self.describe(part); }).join(this.messages.and);
    }
    var item = this.items[condition.field];
    var list = this.codeList(item);
    if (condition.contains) {
      var code = getCode(list, condition.contains);
      return format(this.messages["condition.contains"], {
        number: item.number, label: code ? code.label : condition.contains
      });
    }
    var labels = condition["in"].map(function (v) { return getCode(list, v); })
      .filter(Boolean).map(function (c) { return c.label; });
    return format(this.messages["condition.in"], {
      number: item.number || item.label, labels: labels.join(this.messages.list)
    });
  };

  Checker.prototype.undecided = function (item) {
    var self = this;
    return conditionFields(item.when).some(function (key) {
      return isEmpty(self.values[key]) && self.items[key].required;
    });
  };

  Checker.prototype.skipLogic = function () {
    var self = this;
    this.form.items.forEach(function (item) {
      var value = self.values[item.key];
      if (!item.when || holds(item.when, self.values)) {
        if (item.required && isEmpty(value) && !self.unreadable[item.key]) {
          self.add("required", item.required_severity || "error", item.key, self.messages.required);
        }
      } else if (self.instead[item.key] && !isEmpty(value)) {
        self.instead[item.key].forEach(function (rule) { self.check(rule); });
      } else if (!isEmpty(value) && !self.undecided(item)) {
        self.add("not_applicable", "error", item.key,
          format(self.messages.not_applicable, { condition: self.describe(item.when) }));
      }
    });
  };

  Checker.prototype.itemRules = function () {
    var self = this;
    this.form.items.forEach(function (item) {
      var value = self.values[item.key];
      if (isEmpty(value) || typeof value !== "string") { return; }
      if (item.max_length && length(value) > item.max_length) {
        self.add("text.too_long", "error", item.key, format(self.messages["text.too_long"], { limit: item.max_length }));
      }
      var hidden = unprintable(value, self.pack.printable);
      if (hidden.length) {
        self.add("text.unprintable", "error", item.key,
          format(self.messages["text.unprintable"], { chars: describeChars(hidden) }));
        return;
      }
      if (item.type === "person_name" && !NAME.test(value)) {
        self.add("name.characters", "error", item.key, self.messages["name.characters"]);
      }
      if (item.type === "digits" && (!ASCII_DIGITS.test(value) || (item.length && value.length !== item.length))) {
        self.add("digits.format", "error", item.key, format(self.messages["digits.format"], { length: item.length || 0 }));
      }
      if (item.type === "unit" && !ASCII_DIGITS.test(value)) {
        self.add("unit.code", "error", item.key, self.messages["unit.code"]);
      }
    });
  };

  Checker.prototype.code = function (key) {
    var value = this.values[key];
    return typeof value === "string" ? value : "";
  };

  Checker.prototype.date = function (key) {
    var value = this.values[key];
    return isDay(value) ? value : null;
  };

  Checker.prototype.variables = function (referenceDate) {
    var birth = this.date("birth_date");
    var collected = this.date("collection_date");
    var reference = referenceDate || (collected ? { y: collected.y, m: collected.m, d: collected.d } : this.today);
    var oldest = null, youngest = null;
    if (birth !== null && ordinal(birth) <= ordinal(this.today)) {
      if (birth.yearOnly) {
        oldest = reference.y - birth.y;
        youngest = oldest - 1;
      } else {
        oldest = youngest = ageOn(birth, reference);
      }
    }
    var parsed = parseId(this.code("personal_id"), this.pack.provinces);
    var problem = parsed.problem || "";
    return {
      today: this.today,
      reference: reference,
      age_oldest: oldest,
      age_youngest: youngest,
      id_problem: problem === "empty" ? "" : problem,
      id_kind: parsed.kind || "",
      id_birth_year: parsed.kind === "personal" ? parsed.birthYear : null,
      id_is_male: parsed.kind === "personal" ? parsed.isMale : null
    };
  };

  Checker.prototype.check = function (rule) {
    if (evaluate(rule.when, this.scope)) {
      var self = this;
      var names = Object.keys(rule.params || {});
      var params = {};
      names.forEach(function (name) { params[name] = evaluate(rule.params[name], self.scope); });
      var message = names.length ? format(rule.message, params) : rule.message;
      if (rule.untitled) {
        this.findings.push({ rule: rule.rule, severity: rule.severity, field: rule.field, message: message });
      } else {
        this.add(rule.rule, rule.severity, rule.field, message);
      }
    }
  };

  Checker.prototype.crossRules = function () {
    var self = this;
    this.pack.rules.rules.forEach(function (rule) {
      if (!rule.instead_of_not_applicable) { self.check(rule); }
    });
  };

  function asDay(text) {
    if (!text) { return null; }
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    return parts ? { y: +parts[1], m: +parts[2], d: +parts[3] } : null;
  }

  function localToday() {
    // Asia/Ho_Chi_Minh has no daylight saving: UTC+7.
    var now = new Date(Date.now() + 7 * 3600 * 1000);
    return { y: now.getUTCFullYear(), m: now.getUTCMonth() + 1, d: now.getUTCDate() };
  }

  // Check one person's answers: {findings: [{rule, severity, field, message}], values}.
  // options.referenceDate and options.today are "yyyy-mm-dd"; options.extraRules (the police
  // list's rules, laodong/collection/identity.py) run last, reading options.listed.
  function validate(pack, answers, options) {
    options = options || {};
    var checker = new Checker(pack, pack.form, asDay(options.today) || localToday());
    checker.clean(answers || {});
    checker.scope = {
      values: checker.values,
      variables: checker.variables(asDay(options.referenceDate)),
      words: pack.rules.words,
      listed: options.listed || {}
    };
    checker.skipLogic();
    checker.itemRules();
    checker.crossRules();
    (options.extraRules || []).forEach(function (rule) { checker.check(rule); });
    return { findings: checker.findings, values: checker.values };
  }

  root.LaodongEngine = {
    validate: validate,
    fold: fold,
    foldCompact: foldCompact,
    normalizeText: normalizeText,
    holds: holds
  };
})(typeof self !== "undefined" ? self : this);
