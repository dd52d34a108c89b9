from django.http import HttpResponse


def index(r):
    return HttpResponse()


diagram_svg = history = export_csv = import_csv = add = edit = remove = index
