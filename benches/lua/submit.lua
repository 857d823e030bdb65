-- Comment submissions, each from a new reader with its own wording (fourteen
-- words drawn from a news vocabulary, so no two bodies are near-copies), so
-- the posting rules run in full (no rate or duplicate short-cut).
-- `tid` is a global set in each thread's own Lua state by setup (a chunk
-- local would shadow it and every thread would send the same readers).
local WORDS = {
  "الحكومة",
  "أعلنت",
  "اليوم",
  "خطة",
  "جديدة",
  "لدعم",
  "التعليم",
  "في",
  "المدن",
  "والقرى",
  "وقال",
  "الوزير",
  "إن",
  "الميزانية",
  "ستزيد",
  "العام",
  "المقبل",
  "بينما",
  "طالب",
  "النواب",
  "بمراجعة",
  "الأسعار",
  "والرواتب",
  "المنتخب",
  "فاز",
  "أمس",
  "على",
  "ضيفه",
  "بهدفين",
  "مباراة",
  "قوية",
  "شهدت",
  "حضور",
  "الجماهير",
  "المدرب",
  "أشاد",
  "باللاعبين",
  "وأكد",
  "أن",
  "الفريق",
  "يستعد",
  "للبطولة",
  "القادمة",
  "بثقة",
  "الأمطار",
  "غزيرة",
  "هذا",
  "الأسبوع",
  "والطرق",
  "مغلقة",
  "الشمال",
  "والسكان",
  "ينتظرون",
  "الإصلاح",
  "السوق",
  "تشهد",
  "ارتفاعا",
  "أسعار",
  "الخضر",
  "واللحوم",
  "والوقود",
  "منذ",
  "بداية",
  "الشهر",
  "المستشفى",
  "الجديد",
  "يفتح",
  "أبوابه",
  "قريبا",
  "ويضم",
  "أقساما",
  "للأطفال",
  "والنساء",
  "والطوارئ",
  "الجامعة",
  "تنظم",
  "مؤتمرا",
  "عن",
  "الاقتصاد",
  "والطاقة",
  "والمياه",
  "بمشاركة",
  "باحثين",
  "من",
  "دول",
  "عديدة",
  "شكرا",
  "للكاتب",
  "المقال",
  "المفيد",
  "وأتمنى",
  "متابعة",
  "الموضوع",
  "بتفاصيل",
  "أكثر",
  "الشباب",
  "يبحثون",
  "فرص",
  "العمل",
  "والسكن",
  "والحلول",
  "تحتاج",
  "وقتا",
  "وإرادة",
  "وتعاونا",
  "المهرجان",
  "الثقافي",
  "يعود",
  "بعروض",
  "المسرح",
  "والموسيقى",
  "والكتب",
  "الساحة",
  "الكبرى",
}
local counter = 0
local next_tid = 0
local threads = {}
setup = function(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end
init = function(args)
  math.randomseed(os.time() + 7919 * tid)
end

-- Count answers by status so the harness can say what the errors were.
statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

status_report = function()
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    table.insert(parts, status .. "x" .. n)
  end
  table.sort(parts)
  io.write("MAJLIS_STATUSES " .. table.concat(parts, " ") .. "\n")
end
local function wording()
  local parts = {}
  for i = 1, 14 do
    parts[i] = WORDS[math.random(1, #WORDS)]
  end
  return table.concat(parts, " ")
end

request = function()
  counter = counter + 1
  local n = tid .. "-" .. counter .. "-" .. math.random(1, 1000000000)
  local body = '{"name":"قارئ","email":"r' .. n .. '@example.com","title":"تعليق على الخبر",' ..
    '"body":"' .. wording() .. '.",' ..
    '"accept_terms":true}'
  return wrk.format("POST", "/api/v1/sites/bench-open/articles/a-" .. math.random(1, 1000) .. "/comments",
    {["Content-Type"] = "application/json"}, body)
end
