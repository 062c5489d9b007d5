#!/usr/bin/python3
"""Adds the `signalements` layer to demo/demo.gpkg: a dozen GéoContrib-like contributions
(titre, description, statut, auteur, date) in the communes west of Lille, in Lambert-93.
The layer is protected in demo/ossature.toml (group `contributeurs`), so it shows how access
rules work. make-demo.sh runs it; alone: /usr/bin/python3 demo/make_signalements.py [GPKG]
(default demo/demo.gpkg). Needs python3-gdal. Rewrites the layer if it exists."""

import datetime
import sys
from osgeo import ogr, osr

# (titre, description, statut, auteur, date, x, y): points inside the communes named.
SIGNALEMENTS = [
    ("Nid-de-poule rue de Lille", "Trou profond sur la chaussée devant le n° 12, dangereux pour les deux-roues.", "publié", "m.durand", "2024-03-04", 697420.0, 7061180.0),  # Capinghem
    ("Dépôt sauvage", "Encombrants abandonnés au bord du chemin agricole.", "en attente", "a.lefebvre", "2024-03-11", 697650.0, 7060950.0),  # Capinghem
    ("Éclairage public en panne", "Trois lampadaires éteints rue du Général-de-Gaulle depuis une semaine.", "publié", "s.martin", "2024-04-02", 696880.0, 7058820.0),  # Englos
    ("Haie à tailler", "La haie déborde sur le trottoir et oblige les piétons à marcher sur la route.", "résolu", "j.petit", "2024-02-19", 696990.0, 7058700.0),  # Englos
    ("Fossé bouché", "Le fossé ne s'écoule plus, la parcelle voisine est inondée après chaque pluie.", "publié", "c.roussel", "2024-01-28", 695250.0, 7060400.0),  # Ennetières-en-Weppes
    ("Panneau de signalisation tombé", "Panneau stop couché au carrefour de la RD 933.", "en attente", "m.durand", "2024-04-15", 695100.0, 7060300.0),  # Ennetières-en-Weppes
    ("Arrêt de bus sans abri", "L'abri a été retiré et n'a pas été remplacé.", "publié", "l.bernard", "2024-03-22", 699700.0, 7063010.0),  # Lompret
    ("Piste cyclable interrompue", "Travaux non signalés, la piste s'arrête sans déviation.", "publié", "t.moreau", "2024-05-06", 697800.0, 7063690.0),  # Pérenchies
    ("Graffiti sur l'école", "Tags sur le mur d'enceinte de l'école primaire.", "résolu", "a.lefebvre", "2024-02-02", 697900.0, 7063600.0),  # Pérenchies
    ("Arbre menaçant de tomber", "Peuplier penché au-dessus du sentier après la tempête.", "publié", "j.petit", "2024-01-15", 696380.0, 7062620.0),  # Prémesques
    ("Fuite d'eau sur la voirie", "Eau qui sourd de la chaussée, place de la République.", "en attente", "s.martin", "2024-05-20", 703330.0, 7059430.0),  # Lille
    ("Trottoir dégradé", "Dalles soulevées par les racines, accès difficile en fauteuil.", "publié", "c.roussel", "2024-04-28", 703500.0, 7059300.0),  # Lille
]

path = sys.argv[1] if len(sys.argv) > 1 else "demo/demo.gpkg"
ds = ogr.Open(path, update=1)
if ds.GetLayerByName("signalements") is not None:
    ds.DeleteLayer("signalements")
srs = osr.SpatialReference()
srs.ImportFromEPSG(2154)
layer = ds.CreateLayer("signalements", srs, ogr.wkbPoint, ["FID=id", "GEOMETRY_NAME=geom"])
for name, kind in [("titre", ogr.OFTString), ("description", ogr.OFTString), ("statut", ogr.OFTString), ("auteur", ogr.OFTString), ("date", ogr.OFTDate)]:
    layer.CreateField(ogr.FieldDefn(name, kind))
for titre, description, statut, auteur, date, x, y in SIGNALEMENTS:
    f = ogr.Feature(layer.GetLayerDefn())
    f.SetField("titre", titre)
    f.SetField("description", description)
    f.SetField("statut", statut)
    f.SetField("auteur", auteur)
    d = datetime.date.fromisoformat(date)
    f.SetField("date", d.year, d.month, d.day, 0, 0, 0, 0)
    f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({x} {y})"))
    layer.CreateFeature(f)
ds = None
print(f"{path}: signalements, {len(SIGNALEMENTS)} points")
